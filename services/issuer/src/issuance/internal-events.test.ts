import type { ExternalIssuanceEvent } from "@invoice/domain";
import type { IncomingRecord } from "@invoice/kafka";
import { describe, expect, it } from "vitest";
import { redeliveryEvent } from "./internal-events.ts";
import { readWake, WAKE_HEADERS } from "./issuer-input.ts";

const paid = { eventId: "pay-1", orderId: "order-1", merchantId: "m-1" } as ExternalIssuanceEvent;
const record = (headers: Record<string, string>): IncomingRecord => ({
  topic: "invoice.issuance",
  partition: 1,
  offset: "42",
  key: Buffer.from("order-1"),
  value: Buffer.from([0]),
  headers: { eventId: "pay-1", ...headers },
  timestamp: "1700000000000",
});
/** The headers `invoice dlq replay` puts on its copy (packages/cli replayHeaders). */
const replayed = {
  "replay.requested-by": "ops:alice",
  "replay.dlq.topic": "invoice.issuance.dlq",
  "replay.dlq.record": "1:7",
  "replay.action-id": "9",
};

describe("a record whose event was already applied", () => {
  it("is a redelivery (WakeUp recovery) when nobody asked for it", () => {
    expect(redeliveryEvent(paid, record({}), 1).type).toBe("WakeUp");
  });

  it("is the operator's ReplayRequested when `invoice dlq replay` re-published it", () => {
    const event = redeliveryEvent(paid, record(replayed), 1);
    expect(event).toMatchObject({
      type: "ReplayRequested",
      orderId: "order-1",
      payload: { reason: "dlq-republish", requestedBy: "ops:alice" },
    });
  });

  it("is a ReplayRequested for a copy that only says where it came from (an older CLI)", () => {
    const { "replay.requested-by": _who, ...older } = replayed;
    expect(redeliveryEvent(paid, record(older), 1)).toMatchObject({
      type: "ReplayRequested",
      payload: { requestedBy: "operator" },
    });
  });
});

describe("wake-up headers", () => {
  const wake = {
    [WAKE_HEADERS.eventId]: "a-1:wake:3",
    [WAKE_HEADERS.reason]: "retry",
    [WAKE_HEADERS.attemptId]: "a-1",
    [WAKE_HEADERS.retries]: "5",
  };

  it("make a record from the retry topic a wake-up", () => {
    expect(readWake(record(wake))).toEqual({
      eventId: "a-1:wake:3",
      reason: "retry",
      attemptId: "a-1",
      retries: 5,
    });
  });

  it("do not on a copy replayed from the DLQ (retries exhausted): that is the order's replay", () => {
    // A duplicate wake-up is dropped without a word; the replayed original event is a duplicate
    // that becomes ReplayRequested and resumes the FAILED invoice.
    expect(readWake(record({ ...wake, ...replayed }))).toBeUndefined();
  });
});
