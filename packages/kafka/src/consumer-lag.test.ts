import { describe, expect, it } from "vitest";
import { computeLag } from "./consumer-lag.ts";

describe("computeLag", () => {
  const ends = new Map([
    [
      "t",
      [
        { partition: 0, low: "0", high: "10" },
        { partition: 1, low: "4", high: "9" },
        { partition: 2, low: "20", high: "20" },
      ],
    ],
  ]);

  it("is high minus committed, high minus low when never committed, never negative", () => {
    const lag = computeLag(
      "g",
      [
        { topic: "t", partition: 1, offset: "-1" },
        { topic: "t", partition: 0, offset: "7" },
        { topic: "t", partition: 2, offset: "25" },
        { topic: "gone", partition: 0, offset: "3" },
      ],
      ends,
    );
    expect(lag.map((l) => [l.partition, l.lag])).toEqual([
      [0, 3],
      [1, 5],
      [2, 0],
    ]);
    expect(lag.every((l) => l.group === "g" && l.topic === "t")).toBe(true);
  });
});
