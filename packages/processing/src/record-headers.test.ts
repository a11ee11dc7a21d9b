import { DatabaseError } from "@invoice/errors";
import type { IncomingRecord } from "@invoice/kafka";
import { describe, expect, it } from "vitest";
import {
  DLQ_HEADERS,
  deadLetterHeaders,
  describeError,
  dueAtOf,
  RETRY_HEADERS,
  readRetryInfo,
  retryHeaders,
  truncateUtf8,
} from "./record-headers.ts";

const record = (headers: Record<string, string> = {}): IncomingRecord => ({
  topic: "invoice.issuance",
  partition: 2,
  offset: "41",
  key: Buffer.from("ORD-1"),
  value: Buffer.from([0, 0, 0, 0, 7, 1, 2]),
  headers: {
    eventId: "e-1",
    traceparent: "00-abc-def-01",
    "content-type": "application/vnd.avro",
    ...headers,
  },
  timestamp: "1760000000000",
});

describe("retry headers", () => {
  it("start the retry history on a first failure and keep the record's own headers", () => {
    const headers = retryHeaders(
      record(),
      { dueAt: 5_000.4, attempt: 1, error: new TypeError("boom") },
      1_000,
    );
    expect(headers).toMatchObject({
      eventId: "e-1",
      traceparent: "00-abc-def-01",
      "content-type": "application/vnd.avro",
      [RETRY_HEADERS.attempt]: "1",
      [RETRY_HEADERS.dueAt]: "5000",
      [RETRY_HEADERS.firstFailureAt]: "1000",
      [RETRY_HEADERS.lastFailureAt]: "1000",
      [RETRY_HEADERS.errorClass]: "TypeError",
      [RETRY_HEADERS.errorMessage]: "TypeError: boom",
      [RETRY_HEADERS.originalTopic]: "invoice.issuance",
      [RETRY_HEADERS.originalPartition]: "2",
      [RETRY_HEADERS.originalOffset]: "41",
    });
    expect(headers[RETRY_HEADERS.errorCode]).toBeUndefined();
  });

  it("keep the first failure time and the original coordinates over later retries", () => {
    const first = retryHeaders(record(), { dueAt: 5_000, attempt: 1, error: new Error("x") }, 1_000);
    const onRetryTopic: IncomingRecord = { ...record(first), topic: "invoice.issuance.retry", offset: "7" };
    const second = retryHeaders(
      onRetryTopic,
      { dueAt: 20_000, attempt: 2, error: new DatabaseError("down", "DB_CONNECTION", true) },
      6_000,
    );
    expect(readRetryInfo(second)).toEqual({
      attempt: 2,
      dueAt: 20_000,
      firstFailureAt: 1_000,
      lastFailureAt: 6_000,
      errorClass: "DatabaseError",
      errorCode: "DB_CONNECTION",
      errorMessage: "DB_CONNECTION: down",
      originalTopic: "invoice.issuance",
      originalPartition: 2,
      originalOffset: "41",
    });
  });

  it("read nothing from a first delivery, and treat a malformed due time as due now", () => {
    expect(readRetryInfo(record().headers)).toBeUndefined();
    expect(dueAtOf(record().headers)).toBe(0);
    expect(dueAtOf({ [RETRY_HEADERS.dueAt]: "soon" })).toBe(0);
    expect(dueAtOf({ [RETRY_HEADERS.dueAt]: "12345" })).toBe(12345);
    expect(readRetryInfo({ [RETRY_HEADERS.attempt]: "x" })).toBeUndefined();
  });
});

describe("DLQ headers", () => {
  it("name the original record, the group, the reason and the error, keeping eventId and trace", () => {
    const error = new DatabaseError("unique violation", "DB_UNIQUE_VIOLATION", false);
    const headers = deadLetterHeaders(record(), { reason: "non-retryable", error, groupId: "g1" }, 9_000);
    expect(headers).toMatchObject({
      eventId: "e-1",
      traceparent: "00-abc-def-01",
      "content-type": "application/vnd.avro",
      [DLQ_HEADERS.originalTopic]: "invoice.issuance",
      [DLQ_HEADERS.originalPartition]: "2",
      [DLQ_HEADERS.originalOffset]: "41",
      [DLQ_HEADERS.originalTimestamp]: "1760000000000",
      [DLQ_HEADERS.consumerGroup]: "g1",
      [DLQ_HEADERS.reason]: "non-retryable",
      [DLQ_HEADERS.errorClass]: "DatabaseError",
      [DLQ_HEADERS.errorCode]: "DB_UNIQUE_VIOLATION",
      [DLQ_HEADERS.errorMessage]: "DB_UNIQUE_VIOLATION: unique violation",
      [DLQ_HEADERS.failedAt]: "9000",
    });
    expect(headers[DLQ_HEADERS.errorStack]).toContain("unique violation");
  });

  it("keep the retry history of a record that came from the retry topic, and replace old dlq.* headers", () => {
    const retried = retryHeaders(record(), { dueAt: 1, attempt: 5, error: new Error("x") }, 1);
    const headers = deadLetterHeaders(
      {
        ...record({ ...retried, [DLQ_HEADERS.reason]: "stale", "dlq.extra": "old" }),
        topic: "invoice.issuance.retry",
      },
      { reason: "exhausted", error: new Error("gave up"), groupId: "g" },
      2,
    );
    expect(headers[RETRY_HEADERS.attempt]).toBe("5");
    expect(headers[DLQ_HEADERS.reason]).toBe("exhausted");
    expect(headers["dlq.extra"]).toBeUndefined();
    expect(headers[DLQ_HEADERS.originalTopic]).toBe("invoice.issuance.retry");
  });
});

describe("error description", () => {
  it("describes thrown non-errors too", () => {
    expect(describeError("a string")).toMatchObject({ errorClass: "string", message: "a string" });
    expect(describeError(null).errorClass).toBe("null");
    expect(describeError({ status: 500 }).errorClass).toBe("object");
  });

  it("cuts the message to 1,000 characters and the stack to 4,096 bytes", () => {
    const error = new Error("đ".repeat(5_000));
    const described = describeError(error);
    expect(described.message.length).toBeLessThanOrEqual(1_000);
    expect(Buffer.byteLength(described.stack, "utf8")).toBeLessThanOrEqual(4_096);
  });

  it("never splits a multi-byte character when truncating", () => {
    for (let bytes = 1; bytes < 12; bytes++) {
      const cut = truncateUtf8("ấấấấ", bytes);
      expect(Buffer.byteLength(cut, "utf8")).toBeLessThanOrEqual(bytes);
      expect(cut).not.toContain("\uFFFD");
      expect("ấấấấ".startsWith(cut)).toBe(true);
    }
    expect(truncateUtf8("short", 100)).toBe("short");
  });
});
