import type { IncomingRecord } from "@invoice/kafka";
import { describe, expect, it } from "vitest";
import { countBy, matches, parseTime, replayHeaders, toDlqEntry } from "./dlq-record.ts";

const record = (headers: Record<string, string>, partition = 1, offset = "7"): IncomingRecord => ({
  topic: "invoice.issuance.dlq",
  partition,
  offset,
  key: Buffer.from("order-1"),
  value: Buffer.from("x"),
  headers,
  timestamp: "1000",
});

describe("DLQ entries", () => {
  const retried = record({
    eventId: "e-1",
    "dlq.original.topic": "invoice.issuance.retry",
    "retry.original.topic": "invoice.issuance",
    "retry.attempt": "8",
    "dlq.reason": "exhausted",
    "dlq.error.class": "ProviderError",
    "dlq.error.code": "PROVIDER_TIMEOUT",
    "dlq.failed-at": "5000",
  });

  it("replays a retried record to its first topic and reads the DLQ headers", () => {
    const entry = toDlqEntry(retried, { merchantId: "m-1" });
    expect(entry).toMatchObject({
      id: "1:7",
      key: "order-1",
      reason: "exhausted",
      replayTopic: "invoice.issuance",
      originalTopic: "invoice.issuance.retry",
      attempts: 8,
      failedAt: 5000,
      merchantId: "m-1",
    });
  });

  it("filters by time, merchant, order, reason, error class or code and id", () => {
    const entry = toDlqEntry(retried, { merchantId: "m-1" });
    expect(matches(entry, { since: 5000, until: 5001, merchant: "m-1", order: "order-1" })).toBe(true);
    expect(matches(entry, { since: 5001 })).toBe(false);
    expect(matches(entry, { until: 5000 })).toBe(false);
    expect(matches(entry, { merchant: "m-2" })).toBe(false);
    expect(matches(entry, { reason: "non-retryable" })).toBe(false);
    expect(matches(entry, { errorClass: "PROVIDER_TIMEOUT" })).toBe(true);
    expect(matches(entry, { errorClass: "TypeError" })).toBe(false);
    expect(matches(entry, { ids: ["0:7"] })).toBe(false);
    expect(countBy([entry, entry], "reason")).toEqual({ exhausted: 2 });
  });

  it("strips dlq/retry headers on replay and says where the copy came from", () => {
    const headers = replayHeaders(retried.headers, {
      topic: "invoice.issuance.dlq",
      id: "1:7",
      actionId: "9",
      actor: "ops:alice",
    });
    expect(headers).toEqual({
      eventId: "e-1",
      "replay.requested-by": "ops:alice",
      "replay.dlq.topic": "invoice.issuance.dlq",
      "replay.dlq.record": "1:7",
      "replay.action-id": "9",
    });
  });

  it("parses absolute and relative times", () => {
    expect(parseTime("2026-12-01T00:00:00Z")).toBe(Date.UTC(2026, 11, 1));
    expect(parseTime("2h", 10_000_000)).toBe(10_000_000 - 7_200_000);
    expect(() => parseTime("yesterday")).toThrow(RangeError);
  });
});
