/**
 * Edge rules of the processing layer against the real broker: what happens when the hold bound is
 * full, a pending promise that rejects, a retry without a retry topic, a handler breaking its
 * contract.
 */
import type { IncomingRecord } from "@invoice/kafka";
import { testClient, untilCommittedToEnd, useBroker } from "@invoice/kafka/testing";
import { DLQ_HEADERS, done, pending, RETRY_HEADERS, retryAt } from "@invoice/processing";
import { waitFor } from "@invoice/testing";
import { describe, expect, it } from "vitest";
import { FAST_GROUP, readTopic, startProcessor } from "./harness.ts";

const broker = useBroker();

describe("hold bound", () => {
  it("when full, pauses the partition; a due record behind waits until a held one is due", async () => {
    const retry = await broker.newTopic("hold", 1);
    const dlq = await broker.newTopic("hold-dlq", 1);
    const groupId = broker.newGroup("hold");
    const delivered: Array<{ key: string | null; at: number }> = [];
    let maxPaused = 0;
    let heldUntil = 0;
    const consumer = testClient().consumer({ groupId, ...FAST_GROUP });
    const { processor } = await startProcessor(broker, {
      groupId,
      topics: [retry],
      deadLetterTopic: dlq,
      consumer,
      limits: { maxInFlight: 10, maxHeld: 2 },
      handle: async (batch) => {
        for (const d of batch) delivered.push({ key: d.key, at: Date.now() });
        return batch.map(() => done());
      },
    });
    try {
      // The records are held until a due time, and the held state must be seen before it passes: the
      // due time starts after the group join (seconds on a loaded machine), and 5 s leaves fetching
      // and admitting a wide margin.
      await waitFor(() => consumer.assignment().length === 1, { description: "the partition assigned" });
      heldUntil = Date.now() + 5_000;
      const notDue = (key: string) => ({
        key,
        value: key,
        headers: { [RETRY_HEADERS.attempt]: "1", [RETRY_HEADERS.dueAt]: String(heldUntil) },
      });
      await broker.producer.send(retry, [notDue("A"), notDue("B"), notDue("C"), { key: "D", value: "D" }]);
      await waitFor(
        () => {
          maxPaused = Math.max(maxPaused, processor.stats().pausedPartitions);
          return processor.stats().held === 2 && maxPaused === 1;
        },
        { description: "two held, the partition paused" },
      );
      await untilCommittedToEnd(broker.admin, groupId, [retry]);
    } finally {
      await processor.stop();
    }
    expect(delivered.map((d) => d.key).sort()).toEqual(["A", "B", "C", "D"]);
    // D was due from the start, but sat behind C, which found the hold bound full.
    const d = delivered.find((x) => x.key === "D");
    expect(d?.at).toBeGreaterThanOrEqual(heldUntil);
    for (const x of delivered) expect(x.at).toBeGreaterThanOrEqual(heldUntil);
  });
});

describe("handler contract", () => {
  it("dead-letters a record whose pending promise rejects, and one retried without a retry topic", async () => {
    const topic = await broker.newTopic("contract", 1);
    const dlq = await broker.newTopic("contract-dlq", 1);
    const groupId = broker.newGroup("contract");
    await broker.producer.send(topic, [
      { key: "rejects", value: "1" },
      { key: "retry-nowhere", value: "2" },
      { key: "wrong-count", value: "3" },
      { key: "fine", value: "4" },
    ]);
    const { processor, fatal } = await startProcessor(broker, {
      groupId,
      topics: [topic],
      deadLetterTopic: dlq,
      limits: { lingerMs: 50 },
      handle: async (batch) => {
        // Returning fewer dispositions than records breaks the contract: the batch is re-run one by
        // one, and only the record that still breaks it alone is dead-lettered.
        if (batch.some((d) => d.key === "wrong-count")) return batch.length > 1 ? [done()] : [];
        return batch.map((d) => {
          if (d.key === "rejects") return pending(Promise.reject(new Error("provider client bug")));
          if (d.key === "retry-nowhere") return retryAt(Date.now(), 1, new Error("transient"));
          return done();
        });
      },
    });
    const dead: IncomingRecord[] = [];
    const reader = await readTopic(broker, dlq, dead);
    try {
      await untilCommittedToEnd(broker.admin, groupId, [topic]);
      await waitFor(() => dead.length >= 3, { description: "three DLQ records" });
    } finally {
      await reader.disconnect();
      await processor.stop();
    }
    expect(fatal).toEqual([]);
    const byKey = new Map(dead.map((r) => [r.key?.toString(), r.headers]));
    expect([...byKey.keys()].sort()).toEqual(["rejects", "retry-nowhere", "wrong-count"]);
    expect(byKey.get("rejects")).toMatchObject({
      [DLQ_HEADERS.reason]: "non-retryable",
      [DLQ_HEADERS.errorCode]: "PROCESSING_PENDING_REJECTED",
    });
    expect(byKey.get("rejects")?.[DLQ_HEADERS.errorMessage]).toContain("provider client bug");
    expect(byKey.get("retry-nowhere")?.[DLQ_HEADERS.errorMessage]).toContain("no retry topic");
    expect(byKey.get("wrong-count")).toMatchObject({
      [DLQ_HEADERS.errorCode]: "PROCESSING_HANDLER_CONTRACT",
    });
  });
});
