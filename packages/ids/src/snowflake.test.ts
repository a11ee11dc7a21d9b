import { isRetriable } from "@invoice/errors";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { decodeSnowflake, parseSnowflake } from "./decode-snowflake.ts";
import { createSnowflakeGenerator } from "./snowflake.ts";
import { InvalidWorkerIdError, SnowflakeClockError } from "./snowflake-errors.ts";
import { MAX_SEQUENCE, SNOWFLAKE_EPOCH_MS } from "./snowflake-layout.ts";

const T = Date.UTC(2025, 6, 1, 12, 0, 0);

/** A clock that plays `readings` in order, then repeats the last one forever. */
function scriptedClock(readings: number[]): { clock: () => number; reads: () => number } {
  let index = 0;
  return {
    clock: () => readings[Math.min(index++, readings.length - 1)] ?? Number.NaN,
    reads: () => index,
  };
}

function clockError(action: () => unknown): SnowflakeClockError {
  try {
    action();
  } catch (error) {
    expect(error).toBeInstanceOf(SnowflakeClockError);
    return error as SnowflakeClockError;
  }
  throw new Error("expected a SnowflakeClockError");
}

describe("createSnowflakeGenerator", () => {
  it("packs timestamp, worker id and sequence into the documented bit layout", () => {
    const generator = createSnowflakeGenerator({ workerId: 5, clock: () => SNOWFLAKE_EPOCH_MS + 1000 });
    expect(generator.next()).toBe((1000n << 22n) | (5n << 12n) | 0n);
    expect(generator.next()).toBe((1000n << 22n) | (5n << 12n) | 1n);
  });

  it.each([0, 1, 512, 1023])("accepts worker id %d", (workerId) => {
    const id = createSnowflakeGenerator({ workerId, clock: () => T }).next();
    expect(decodeSnowflake(id).workerId).toBe(workerId);
  });

  it.each([-1, 1024, 1.5, Number.NaN, Number.POSITIVE_INFINITY])("refuses worker id %s", (workerId) => {
    expect(() => createSnowflakeGenerator({ workerId })).toThrow(InvalidWorkerIdError);
  });

  it("refuses a negative or fractional drift tolerance", () => {
    expect(() => createSnowflakeGenerator({ workerId: 1, maxBackwardDriftMs: -1 })).toThrow(RangeError);
    expect(() => createSnowflakeGenerator({ workerId: 1, maxBackwardDriftMs: 0.5 })).toThrow(RangeError);
  });

  it("restarts the sequence at 0 on every new millisecond", () => {
    const { clock } = scriptedClock([T, T, T, T + 1, T + 3]);
    const generator = createSnowflakeGenerator({ workerId: 1, clock });
    const decoded = Array.from({ length: 5 }, () => decodeSnowflake(generator.next()));
    expect(decoded.map((d) => [d.timestamp - T, d.sequence])).toEqual([
      [0, 0],
      [0, 1],
      [0, 2],
      [1, 0],
      [3, 0],
    ]);
  });

  it("waits for the next millisecond when 4096 ids were issued in one", () => {
    // 4096 reads at T fill the sequence; the 4097th id must wait until the clock shows T + 1.
    const readings = [...Array<number>(MAX_SEQUENCE + 1 + 3).fill(T), T + 1];
    const { clock, reads } = scriptedClock(readings);
    const generator = createSnowflakeGenerator({ workerId: 7, clock });
    const ids = Array.from({ length: MAX_SEQUENCE + 1 }, () => generator.next());
    expect(decodeSnowflake(ids.at(-1) ?? 0n)).toEqual({ timestamp: T, workerId: 7, sequence: MAX_SEQUENCE });

    const overflow = generator.next();
    expect(decodeSnowflake(overflow)).toEqual({ timestamp: T + 1, workerId: 7, sequence: 0 });
    expect(overflow).toBeGreaterThan(ids.at(-1) ?? 0n);
    expect(reads()).toBe(readings.length);
  });

  it("waits out a backward step within the tolerance and keeps ids increasing", () => {
    const { clock } = scriptedClock([T, T - 3, T - 2, T - 1, T, T + 1]);
    const generator = createSnowflakeGenerator({ workerId: 1, clock, maxBackwardDriftMs: 5 });
    const first = generator.next();
    const second = generator.next();
    expect(second).toBeGreaterThan(first);
    expect(decodeSnowflake(second)).toEqual({ timestamp: T, workerId: 1, sequence: 1 });
  });

  it("throws a retriable CLOCK_MOVED_BACKWARDS beyond the tolerance, and recovers once the clock catches up", () => {
    const { clock } = scriptedClock([T, T - 6, T + 1]);
    const generator = createSnowflakeGenerator({ workerId: 1, clock, maxBackwardDriftMs: 5 });
    const first = generator.next();
    const error = clockError(() => generator.next());
    expect(error.code).toBe("CLOCK_MOVED_BACKWARDS");
    expect(error.driftMs).toBe(6);
    expect(error.retriable).toBe(true);
    expect(isRetriable(error)).toBe(true);
    expect(generator.next()).toBeGreaterThan(first);
  });

  it("with zero tolerance refuses any backward step", () => {
    const { clock } = scriptedClock([T, T - 1]);
    const generator = createSnowflakeGenerator({ workerId: 1, clock, maxBackwardDriftMs: 0 });
    generator.next();
    expect(clockError(() => generator.next()).code).toBe("CLOCK_MOVED_BACKWARDS");
  });

  it.each([
    ["before the epoch", SNOWFLAKE_EPOCH_MS - 1],
    ["past the 41-bit range", SNOWFLAKE_EPOCH_MS + 2 ** 41],
    ["NaN", Number.NaN],
  ])("refuses a clock reading %s", (_name, reading) => {
    const generator = createSnowflakeGenerator({ workerId: 1, clock: () => reading });
    const error = clockError(() => generator.next());
    expect(error.code).toBe("CLOCK_OUT_OF_RANGE");
    expect(error.retriable).toBe(false);
  });

  it("issues ids at the edges of the timestamp range", () => {
    expect(createSnowflakeGenerator({ workerId: 0, clock: () => SNOWFLAKE_EPOCH_MS }).next()).toBe(0n);
    const last = createSnowflakeGenerator({
      workerId: 1023,
      clock: () => SNOWFLAKE_EPOCH_MS + 2 ** 41 - 1,
    }).next();
    expect(last).toBe((((1n << 41n) - 1n) << 22n) | (1023n << 12n));
    expect(last).toBeLessThan(1n << 63n);
  });

  it("throws a retriable CLOCK_STALLED instead of hanging when the clock never advances", () => {
    const generator = createSnowflakeGenerator({ workerId: 1, clock: () => T });
    for (let i = 0; i <= MAX_SEQUENCE; i++) generator.next();
    const error = clockError(() => generator.next());
    expect(error.code).toBe("CLOCK_STALLED");
    expect(error.retriable).toBe(true);
  });

  it("hands out no used sequence after a stalled wait: state changes only once the wait succeeded", () => {
    // Issue 7 finding 9: the sequence was reset to 0 before the wait; when the wait failed, the next
    // calls in the same millisecond returned sequences 1, 2, ... again.
    let now = T;
    const generator = createSnowflakeGenerator({ workerId: 1, clock: () => now });
    const issued = new Set<bigint>();
    for (let i = 0; i <= MAX_SEQUENCE; i++) issued.add(generator.next());
    for (let attempt = 0; attempt < 3; attempt++) {
      expect(clockError(() => generator.next()).code).toBe("CLOCK_STALLED");
    }
    now = T + 1;
    const after = Array.from({ length: 10 }, () => generator.next());
    for (const id of after) expect(issued.has(id)).toBe(false);
    expect(decodeSnowflake(after[0] ?? 0n)).toEqual({ timestamp: T + 1, workerId: 1, sequence: 0 });
  });

  it("a backward step that fails leaves the generator where it was", () => {
    const { clock } = scriptedClock([T, T, T - 100, T]);
    const generator = createSnowflakeGenerator({ workerId: 1, clock, maxBackwardDriftMs: 5 });
    const first = generator.next();
    const second = generator.next();
    expect(clockError(() => generator.next()).code).toBe("CLOCK_MOVED_BACKWARDS");
    const third = generator.next();
    expect(third).toBeGreaterThan(second);
    expect(decodeSnowflake(third)).toEqual({ timestamp: T, workerId: 1, sequence: 2 });
    expect(first).toBeLessThan(second);
  });

  it("nextString is the decimal form of the id", () => {
    const generator = createSnowflakeGenerator({ workerId: 3, clock: () => T });
    const text = generator.nextString();
    expect(text).toMatch(/^[1-9]\d*$/);
    expect(decodeSnowflake(parseSnowflake(text))).toEqual({ timestamp: T, workerId: 3, sequence: 0 });
  });

  it("issues unique, strictly increasing ids on the real clock", () => {
    const generator = createSnowflakeGenerator({ workerId: 42 });
    let previous = -1n;
    let outOfOrder = 0;
    const seen = new Set<bigint>();
    for (let i = 0; i < 50_000; i++) {
      const id = generator.next();
      if (id <= previous) outOfOrder++;
      seen.add(id);
      previous = id;
    }
    expect(outOfOrder).toBe(0);
    expect(seen.size).toBe(50_000);
  });

  it("issues unique, increasing ids that decode to their clock reading for any non-decreasing clock (property)", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 1023 }),
        fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 1, maxLength: 300 }),
        (workerId, steps) => {
          let now = T;
          let current = T;
          const generator = createSnowflakeGenerator({ workerId, clock: () => current });
          const ids: bigint[] = [];
          for (const step of steps) {
            now += step;
            current = now;
            const id = generator.next();
            const decoded = decodeSnowflake(id);
            expect(decoded.workerId).toBe(workerId);
            expect(decoded.timestamp).toBe(now);
            ids.push(id);
          }
          for (let i = 1; i < ids.length; i++) expect(ids[i] ?? 0n).toBeGreaterThan(ids[i - 1] ?? 0n);
        },
      ),
    );
  });

  it("never collides across workers sharing a clock (property)", () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.integer({ min: 0, max: 1023 }), { minLength: 2, maxLength: 5 }),
        fc.integer({ min: 1, max: 200 }),
        (workerIds, count) => {
          const generators = workerIds.map((workerId) =>
            createSnowflakeGenerator({ workerId, clock: () => T }),
          );
          const seen = new Set<bigint>();
          for (let i = 0; i < count; i++) for (const generator of generators) seen.add(generator.next());
          expect(seen.size).toBe(count * workerIds.length);
        },
      ),
    );
  });
});
