import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { decodeSnowflake, parseSnowflake } from "./decode-snowflake.ts";
import { InvalidSnowflakeError } from "./snowflake-errors.ts";
import { SNOWFLAKE_EPOCH_MS } from "./snowflake-layout.ts";

describe("decodeSnowflake", () => {
  it("splits an id into timestamp, worker id and sequence", () => {
    const id = (86_400_000n << 22n) | (1023n << 12n) | 4095n;
    expect(decodeSnowflake(id)).toEqual({
      timestamp: SNOWFLAKE_EPOCH_MS + 86_400_000,
      workerId: 1023,
      sequence: 4095,
    });
    expect(decodeSnowflake(id.toString())).toEqual(decodeSnowflake(id));
  });

  it("round-trips every field combination (property)", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 2 ** 41 - 1 }),
        fc.integer({ min: 0, max: 1023 }),
        fc.integer({ min: 0, max: 4095 }),
        (offset, workerId, sequence) => {
          const id = (BigInt(offset) << 22n) | (BigInt(workerId) << 12n) | BigInt(sequence);
          expect(decodeSnowflake(id)).toEqual({ timestamp: SNOWFLAKE_EPOCH_MS + offset, workerId, sequence });
          expect(parseSnowflake(id.toString())).toBe(id);
        },
      ),
    );
  });

  it.each([
    ["negative", -1n],
    ["2^63", 1n << 63n],
  ])("refuses a %s bigint", (_name, id) => {
    expect(() => decodeSnowflake(id)).toThrow(InvalidSnowflakeError);
  });
});

describe("parseSnowflake", () => {
  it.each([
    "",
    "-1",
    "+1",
    "01",
    "1.5",
    "1e3",
    "0x10",
    " 1",
    "abc",
    "9223372036854775808",
    "99999999999999999999",
  ])("refuses %j", (text) => {
    expect(() => parseSnowflake(text)).toThrow(InvalidSnowflakeError);
  });

  it("accepts 0 and 2^63 - 1", () => {
    expect(parseSnowflake("0")).toBe(0n);
    expect(parseSnowflake("9223372036854775807")).toBe((1n << 63n) - 1n);
  });
});
