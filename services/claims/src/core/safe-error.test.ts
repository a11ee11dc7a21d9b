import { describe, expect, it } from "vitest";
import { safeError } from "./safe-error.ts";

describe("safeError", () => {
  it("masks tokens anywhere in the cause chain and keeps type and code", () => {
    const token = "3f0c6a52-8d2e-4b7a-9c41-5e6f7a8b9c0d";
    const cause = Object.assign(new Error(`invalid value {"claimToken":"${token.toUpperCase()}"}`), {
      code: "X",
    });
    const error = Object.assign(new TypeError("encoding failed", { cause }), {
      code: "SCHEMA_VALIDATION_FAILED",
    });
    const safe = safeError(error, "secret-part");
    expect(safe).toMatchObject({ type: "TypeError", code: "SCHEMA_VALIDATION_FAILED" });
    expect(safe.message).toContain("encoding failed");
    expect(JSON.stringify(safe).toLowerCase()).not.toContain(token);
    expect(safeError(new Error("a secret-part b"), "secret-part").message).toBe("Error: a {token} b");
  });
});
