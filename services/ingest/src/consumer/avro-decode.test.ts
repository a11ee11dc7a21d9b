import { describe, expect, it } from "vitest";
import { hasReplacedBytes } from "./avro-decode.ts";

describe("hasReplacedBytes", () => {
  const bytes = (...parts: (string | number[])[]) =>
    Buffer.concat(parts.map((p) => (typeof p === "string" ? Buffer.from(p, "utf8") : Buffer.from(p))));

  it("is false for text without U+FFFD, and for a U+FFFD the sender wrote", () => {
    expect(hasReplacedBytes({ name: "Bình" }, bytes("Bình"))).toBe(false);
    expect(hasReplacedBytes({ name: "a\uFFFDb", n: [1, "x"] }, bytes("a\uFFFDb"))).toBe(false);
  });

  it("is true when the decoder turned bytes that are not UTF-8 into U+FFFD, at any depth", () => {
    const raw = bytes("X", [0xff, 0xfe], "X");
    expect(hasReplacedBytes({ a: { b: [raw.toString("utf8")] } }, raw)).toBe(true);
    // one written, two invented
    const mixed = bytes("\uFFFD", [0xc3], "x", [0xff]);
    expect(hasReplacedBytes(["\uFFFD", mixed.subarray(3).toString("utf8")], mixed)).toBe(true);
  });

  it("skips bytes fields and dates", () => {
    expect(hasReplacedBytes({ b: Buffer.from([0xff]), d: new Date(0) }, Buffer.alloc(0))).toBe(false);
  });
});
