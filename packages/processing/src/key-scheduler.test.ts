import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { KeyScheduler, type ScheduledEntry } from "./key-scheduler.ts";

const P0 = "t/0";
const P1 = "t/1";
const RETRY = "retry/0";

function items(entries: ScheduledEntry<string>[]): string[] {
  return entries.map((e) => e.item);
}

describe("KeyScheduler", () => {
  it("hands out records of different keys together, one per key", () => {
    const s = new KeyScheduler<string>();
    s.add("a1", { partitionId: P0, lane: "a", dueAt: 0 }, 0);
    s.add("b1", { partitionId: P0, lane: "b", dueAt: 0 }, 0);
    s.add("a2", { partitionId: P0, lane: "a", dueAt: 0 }, 0);
    expect(items(s.take(10))).toEqual(["a1", "b1"]);
    expect(s.take(10)).toEqual([]);
    expect(s.counts()).toEqual({ queued: 1, held: 0, active: 2 });
  });

  it("starts the next record of a key only after the previous one released it", () => {
    const s = new KeyScheduler<string>();
    const a1 = s.add("a1", { partitionId: P0, lane: "a", dueAt: 0 }, 0);
    s.add("a2", { partitionId: P0, lane: "a", dueAt: 0 }, 0);
    s.add("a3", { partitionId: P0, lane: "a", dueAt: 0 }, 0);
    expect(items(s.take(10))).toEqual(["a1"]);
    s.release(a1);
    const [a2] = s.take(10);
    expect(a2?.item).toBe("a2");
    s.release(a2 as ScheduledEntry<string>);
    s.release(a2 as ScheduledEntry<string>); // idempotent
    expect(items(s.take(10))).toEqual(["a3"]);
  });

  it("respects the batch size and keeps the rest ready in FIFO order", () => {
    const s = new KeyScheduler<string>();
    for (const k of ["a", "b", "c", "d"]) s.add(k, { partitionId: P0, lane: k, dueAt: 0 }, 0);
    expect(items(s.take(3))).toEqual(["a", "b", "c"]);
    expect(s.readyCount()).toBe(1);
    expect(items(s.take(3))).toEqual(["d"]);
  });

  it("holds a record until its due time without blocking other keys of the same partition", () => {
    const s = new KeyScheduler<string>();
    s.add("a-later", { partitionId: RETRY, lane: "a", dueAt: 1_000 }, 0);
    s.add("b-due", { partitionId: RETRY, lane: "b", dueAt: 500 }, 0);
    s.add("c-now", { partitionId: RETRY, lane: "c", dueAt: 0 }, 0);
    expect(s.counts().held).toBe(2);
    expect(items(s.take(10))).toEqual(["c-now"]);
    expect(s.nextDueAt()).toBe(500);
    s.advance(499);
    expect(s.take(10)).toEqual([]);
    s.advance(500);
    expect(items(s.take(10))).toEqual(["b-due"]);
    expect(s.nextDueAt()).toBe(1_000);
    s.advance(2_000);
    expect(items(s.take(10))).toEqual(["a-later"]);
    expect(s.counts()).toEqual({ queued: 0, held: 0, active: 3 });
    expect(s.nextDueAt()).toBeUndefined();
  });

  it("keeps one key's order within a partition even when a later record is due earlier", () => {
    const s = new KeyScheduler<string>();
    s.add("a1", { partitionId: RETRY, lane: "a", dueAt: 1_000 }, 0);
    s.add("a2", { partitionId: RETRY, lane: "a", dueAt: 100 }, 0);
    s.advance(200);
    expect(s.take(10)).toEqual([]);
    s.advance(1_000);
    expect(items(s.take(10))).toEqual(["a1"]);
  });

  it("lets a due record of a key from another partition go ahead of its held one", () => {
    const s = new KeyScheduler<string>();
    s.add("a-retry", { partitionId: RETRY, lane: "a", dueAt: 1_000 }, 0);
    const main = s.add("a-main", { partitionId: P0, lane: "a", dueAt: 0 }, 0);
    expect(items(s.take(10))).toEqual(["a-main"]);
    s.advance(1_000);
    expect(s.take(10)).toEqual([]); // the key is still held by a-main
    s.release(main);
    expect(items(s.take(10))).toEqual(["a-retry"]);
  });

  it("across partitions, starts whichever due head of a key arrived first", () => {
    const s = new KeyScheduler<string>();
    const first = s.add("a-p1", { partitionId: P1, lane: "a", dueAt: 0 }, 0);
    s.add("a-p0", { partitionId: P0, lane: "a", dueAt: 0 }, 0);
    expect(items(s.take(10))).toEqual(["a-p1"]);
    s.release(first);
    expect(items(s.take(10))).toEqual(["a-p0"]);
  });

  it("drops the waiting records of a revoked partition, keeps active ones and other partitions", () => {
    const s = new KeyScheduler<string>();
    const a1 = s.add("a1", { partitionId: P0, lane: "a", dueAt: 0 }, 0);
    s.add("a2", { partitionId: P0, lane: "a", dueAt: 0 }, 0);
    s.add("b1", { partitionId: P0, lane: "b", dueAt: 5_000 }, 0);
    s.add("a-p1", { partitionId: P1, lane: "a", dueAt: 0 }, 0);
    expect(items(s.take(1))).toEqual(["a1"]);
    const dropped = s.dropPartition(P0);
    expect(items(dropped).sort()).toEqual(["a2", "b1"]);
    expect(dropped.every((e) => e.state === "dropped")).toBe(true);
    expect(s.counts()).toEqual({ queued: 1, held: 0, active: 1 });
    expect(s.nextDueAt()).toBeUndefined();
    s.release(a1);
    expect(items(s.take(10))).toEqual(["a-p1"]);
    expect(s.dropPartition("nothing")).toEqual([]);
  });

  it("re-admits a key after its partition was dropped and given back", () => {
    const s = new KeyScheduler<string>();
    s.add("old", { partitionId: P0, lane: "a", dueAt: 0 }, 0);
    s.dropPartition(P0);
    s.add("new", { partitionId: P0, lane: "a", dueAt: 0 }, 0);
    expect(items(s.take(10))).toEqual(["new"]);
  });

  it("never has two entries of one key active, and starts each key's entries in order (random runs)", () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            lane: fc.constantFrom("a", "b", "c"),
            partition: fc.constantFrom(P0, P1, RETRY),
            delay: fc.constantFrom(0, 0, 10, 50),
          }),
          { minLength: 1, maxLength: 40 },
        ),
        fc.array(fc.constantFrom("take", "release", "tick"), { maxLength: 120 }),
        (adds, ops) => {
          const s = new KeyScheduler<number>();
          const entries = adds.map((a, i) =>
            s.add(i, { partitionId: a.partition, lane: a.lane, dueAt: a.delay }, 0),
          );
          let now = 0;
          const active: ScheduledEntry<number>[] = [];
          const started: number[] = [];
          const step = (op: string) => {
            if (op === "tick") {
              now += 10;
              s.advance(now);
            } else if (op === "take") {
              const taken = s.take(2);
              for (const e of taken) {
                expect(active.some((x) => x.lane === e.lane)).toBe(false);
                expect(e.dueAt).toBeLessThanOrEqual(now);
                active.push(e);
                started.push(e.item);
              }
            } else {
              const e = active.shift();
              if (e) s.release(e);
            }
          };
          for (const op of ops) step(op);
          // Drain: everything eventually starts.
          for (let i = 0; i < 200 && started.length < entries.length; i++)
            step(["tick", "take", "release"][i % 3] ?? "");
          expect(started.sort((x, y) => x - y)).toEqual(entries.map((e) => e.item));
          // Per key and partition, the start order is the arrival order.
          for (const lane of ["a", "b", "c"]) {
            for (const p of [P0, P1, RETRY]) {
              const ofQueue = entries.filter((e) => e.lane === lane && e.partitionId === p).map((e) => e.seq);
              const startedOrder = started.filter((i) => ofQueue.includes(i));
              expect(startedOrder).toEqual([...startedOrder].sort((x, y) => x - y));
            }
          }
        },
      ),
    );
  });
});
