import { describe, expect, it } from "vitest";
import { candidateOrder } from "./worker-id-lease.ts";

describe("candidateOrder", () => {
  it("tries the preferences first, then every other id after the last one, wrapping around", () => {
    const order = candidateOrder([1022], new Set());
    expect(order.slice(0, 4)).toEqual([1022, 1023, 0, 1]);
    expect(order).toHaveLength(1024);
    expect(new Set(order).size).toBe(1024);
  });

  it("keeps the previous id ahead of the preferred one and skips ids known to be taken", () => {
    const order = candidateOrder([40, 7], new Set([7, 8, 41]));
    expect(order.slice(0, 3)).toEqual([40, 9, 10]);
    expect(order).not.toContain(8);
    expect(order).toHaveLength(1021);
  });

  it("is empty when every id is taken", () => {
    const all = new Set(Array.from({ length: 1024 }, (_, id) => id));
    expect(candidateOrder([3], all)).toEqual([]);
  });
});
