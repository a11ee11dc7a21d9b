import { describe, expect, it } from "vitest";
import { constantTimeEqual } from "./constant-time.ts";

describe("constantTimeEqual", () => {
  it("is true only for identical bytes", () => {
    expect(constantTimeEqual(Buffer.from("abc"), Buffer.from("abc"))).toBe(true);
    expect(constantTimeEqual(Buffer.from("abc"), Buffer.from("abd"))).toBe(false);
    expect(constantTimeEqual(Buffer.alloc(0), Buffer.alloc(0))).toBe(true);
  });

  it("returns false instead of throwing when lengths differ", () => {
    expect(constantTimeEqual(Buffer.from("abc"), Buffer.from("abcd"))).toBe(false);
    expect(constantTimeEqual(Buffer.alloc(0), Buffer.from("a"))).toBe(false);
  });
});
