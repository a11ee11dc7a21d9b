import { randomBytes } from "node:crypto";
import { isRetriable } from "@invoice/errors";
import { describe, expect, it } from "vitest";
import {
  credentialsKeyId,
  InvalidCredentialsKeyError,
  isDegenerateKey,
  parseCredentialsKey,
} from "./credentials-key.ts";

const KEY_HEX = "4f1c2a7e9b3d5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8";

function reasonOf(input: string | undefined): string {
  try {
    parseCredentialsKey(input);
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidCredentialsKeyError);
    const typed = error as InvalidCredentialsKeyError;
    expect(typed.code).toBe("INVALID_CREDENTIALS_KEY");
    expect(isRetriable(typed)).toBe(false);
    if (input !== undefined && input.length > 0) expect(typed.message).not.toContain(input);
    return typed.reason;
  }
  throw new Error("expected parseCredentialsKey to throw");
}

describe("parseCredentialsKey", () => {
  it("returns the 32 key bytes for 64 hex characters, either case, surrounding whitespace ignored", () => {
    const key = parseCredentialsKey(KEY_HEX);
    expect(key).toHaveLength(32);
    expect(key.toString("hex")).toBe(KEY_HEX);
    expect(parseCredentialsKey(` ${KEY_HEX.toUpperCase()}\n`).equals(key)).toBe(true);
  });

  it.each([
    ["undefined", undefined, "missing"],
    ["empty", "", "missing"],
    ["blank", "   ", "missing"],
    ["63 characters", KEY_HEX.slice(1), "wrong_length"],
    ["65 characters", `${KEY_HEX}a`, "wrong_length"],
    ["32 characters (16-byte key)", KEY_HEX.slice(0, 32), "wrong_length"],
    ["base64 of 32 bytes", Buffer.from(KEY_HEX, "hex").toString("base64"), "wrong_length"],
    ["non-hex character", `${KEY_HEX.slice(0, 63)}g`, "not_hex"],
    ["0x prefix", `0x${KEY_HEX.slice(2)}`, "not_hex"],
    ["inner space", `${KEY_HEX.slice(0, 30)} ${KEY_HEX.slice(31)}`, "not_hex"],
    ["all zeros", "0".repeat(64), "placeholder"],
    ["one repeated byte", "ab".repeat(32), "placeholder"],
    [
      "a counting sequence",
      Buffer.from(Array.from({ length: 32 }, (_, i) => i)).toString("hex"),
      "placeholder",
    ],
    ["a repeated pattern", "0123456789abcdef".repeat(4), "placeholder"],
    ["an example key typed twice", KEY_HEX.slice(0, 32).repeat(2), "placeholder"],
  ])("refuses %s", (_name, input, reason) => {
    expect(reasonOf(input)).toBe(reason);
  });

  it("says how long the value was but never what it was", () => {
    const secretLooking = `${KEY_HEX}ff`;
    expect(() => parseCredentialsKey(secretLooking)).toThrow(/exactly 64 hexadecimal characters.*got 66/);
  });
});

describe("isDegenerateKey", () => {
  it("accepts random keys (property: a random key is never degenerate)", () => {
    for (let i = 0; i < 2_000; i++) expect(isDegenerateKey(randomBytes(32))).toBe(false);
    expect(isDegenerateKey(Buffer.from(KEY_HEX, "hex"))).toBe(false);
  });

  it("refuses every constant step and every pattern up to 16 bytes", () => {
    for (let step = 0; step < 256; step += 17) {
      expect(isDegenerateKey(Buffer.from(Array.from({ length: 32 }, (_, i) => (5 + i * step) & 0xff)))).toBe(
        true,
      );
    }
    for (let period = 2; period <= 16; period++) {
      const unit = randomBytes(period);
      expect(isDegenerateKey(Buffer.from(Array.from({ length: 32 }, (_, i) => unit[i % period] ?? 0)))).toBe(
        true,
      );
    }
  });
});

describe("credentialsKeyId", () => {
  it("is stable for a key, differs between keys and does not contain the key", () => {
    const key = Buffer.from(KEY_HEX, "hex");
    const other = Buffer.from(KEY_HEX.replace(/^4f/, "50"), "hex");
    expect(credentialsKeyId(key)).toBe(credentialsKeyId(Buffer.from(key)));
    expect(credentialsKeyId(key)).toMatch(/^[0-9a-f]{16}$/);
    expect(credentialsKeyId(key)).not.toBe(credentialsKeyId(other));
    expect(KEY_HEX).not.toContain(credentialsKeyId(key));
  });
});
