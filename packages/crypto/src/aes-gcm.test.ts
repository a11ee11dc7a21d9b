import { randomBytes } from "node:crypto";
import { isRetriable } from "@invoice/errors";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  DecryptionError,
  decrypt,
  decryptToString,
  encrypt,
  InvalidAadError,
  type SealedSecret,
} from "./aes-gcm.ts";
import { createKeyring } from "./keyring.ts";

const keyring = createKeyring(randomBytes(32));
const AAD = { aad: "provider-credential:merchant-1" };

function codeOf(action: () => unknown): string {
  try {
    action();
  } catch (error) {
    expect(error).toBeInstanceOf(DecryptionError);
    expect(isRetriable(error)).toBe(false);
    return (error as DecryptionError).code;
  }
  throw new Error("expected a DecryptionError");
}

/** Flips one bit of a base64 field, keeping it valid base64 of the same length. */
function flipBit(field: string, byteIndex = 0): string {
  const bytes = Buffer.from(field, "base64");
  bytes[byteIndex] = (bytes[byteIndex] ?? 0) ^ 0x01;
  return bytes.toString("base64");
}

describe("encrypt / decrypt", () => {
  it("round-trips strings, bytes and the empty string", () => {
    expect(decryptToString(encrypt("provider-password-ünicode", keyring, AAD), keyring, AAD)).toBe(
      "provider-password-ünicode",
    );
    const bytes = randomBytes(100);
    expect(decrypt(encrypt(bytes, keyring, AAD), keyring, AAD).equals(bytes)).toBe(true);
    expect(decryptToString(encrypt("", keyring, AAD), keyring, AAD)).toBe("");
  });

  it("round-trips any bytes and any AAD (property)", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 512 }), fc.string({ minLength: 1 }), (plaintext, aad) => {
        const sealed = encrypt(Buffer.from(plaintext), keyring, { aad });
        expect(decrypt(sealed, keyring, { aad }).equals(Buffer.from(plaintext))).toBe(true);
      }),
    );
  });

  it("produces a 12-byte iv, a 16-byte tag and the active key id, with a fresh iv every time", () => {
    const first = encrypt("same", keyring, AAD);
    const second = encrypt("same", keyring, AAD);
    expect(first.keyId).toBe(keyring.activeKeyId);
    expect(Buffer.from(first.iv, "base64")).toHaveLength(12);
    expect(Buffer.from(first.tag, "base64")).toHaveLength(16);
    expect(first.iv).not.toBe(second.iv);
    expect(first.ciphertext).not.toBe(second.ciphertext);
    expect(first.ciphertext).not.toContain(Buffer.from("same").toString("base64"));
  });

  it("binds the secret to its AAD (merchant id)", () => {
    const sealed = encrypt("secret", keyring, { aad: "merchant-1" });
    expect(decryptToString(sealed, keyring, { aad: "merchant-1" })).toBe("secret");
    expect(decryptToString(sealed, keyring, { aad: Buffer.from("merchant-1") })).toBe("secret");
    expect(codeOf(() => decrypt(sealed, keyring, { aad: "merchant-2" }))).toBe("AUTHENTICATION_FAILED");
    expect(codeOf(() => decrypt(sealed, keyring, { aad: "merchant-10" }))).toBe("AUTHENTICATION_FAILED");
  });

  it.each([
    ["no options", undefined],
    ["no aad", {}],
    ["empty string aad", { aad: "" }],
    ["empty bytes aad", { aad: Buffer.alloc(0) }],
    ["a number", { aad: 42 }],
  ])("refuses to encrypt or decrypt with %s: empty AAD binds nothing in GCM", (_name, options) => {
    const sealed = encrypt("secret", keyring, AAD);
    const bad = options as unknown as { aad: string };
    expect(() => encrypt("secret", keyring, bad)).toThrow(InvalidAadError);
    expect(() => decrypt(sealed, keyring, bad)).toThrow(InvalidAadError);
    try {
      encrypt("secret", keyring, bad);
    } catch (error) {
      expect((error as InvalidAadError).code).toBe("INVALID_AAD");
      expect(isRetriable(error)).toBe(false);
    }
  });

  describe("tampering", () => {
    const sealed = encrypt("a provider credential", keyring, { aad: "m-1" });
    const open = (s: SealedSecret) => () => decrypt(s, keyring, { aad: "m-1" });

    it.each([
      ["ciphertext first byte", { ciphertext: flipBit(sealed.ciphertext) }],
      ["ciphertext last byte", { ciphertext: flipBit(sealed.ciphertext, 20) }],
      ["tag", { tag: flipBit(sealed.tag, 15) }],
      ["iv", { iv: flipBit(sealed.iv, 11) }],
      [
        "ciphertext truncated by a byte",
        { ciphertext: Buffer.from(sealed.ciphertext, "base64").subarray(1).toString("base64") },
      ],
      [
        "ciphertext from another record",
        { ciphertext: encrypt("a provider credential", keyring, AAD).ciphertext },
      ],
    ])("fails authentication when the %s changes", (_name, change) => {
      expect(codeOf(open({ ...sealed, ...change }))).toBe("AUTHENTICATION_FAILED");
    });

    it.each([
      [
        "truncated tag (GCM would accept a 4-byte tag)",
        { tag: Buffer.from(sealed.tag, "base64").subarray(0, 4).toString("base64") },
      ],
      ["empty tag", { tag: "" }],
      ["short iv", { iv: Buffer.alloc(8).toString("base64") }],
      ["iv with non-base64 characters", { iv: `${sealed.iv.slice(0, -2)}!!` }],
      ["ciphertext with whitespace", { ciphertext: ` ${sealed.ciphertext}` }],
      ["tag that is not a string", { tag: 42 as unknown as string }],
    ])("refuses a malformed record: %s", (_name, change) => {
      expect(codeOf(open({ ...sealed, ...change }))).toBe("MALFORMED_SEALED_SECRET");
    });

    it("refuses an unknown key id without trying other keys", () => {
      expect(codeOf(open({ ...sealed, keyId: "0000000000000000" }))).toBe("UNKNOWN_KEY_ID");
    });
  });

  it("supports rotation: old records decrypt with the retired key, new ones use the new key", () => {
    const oldKey = randomBytes(32);
    const before = createKeyring(oldKey);
    const oldRecord = encrypt("old", before, AAD);

    const after = createKeyring(randomBytes(32), [oldKey]);
    const newRecord = encrypt("new", after, AAD);
    expect(newRecord.keyId).not.toBe(oldRecord.keyId);
    expect(decryptToString(oldRecord, after, AAD)).toBe("old");
    expect(decryptToString(newRecord, after, AAD)).toBe("new");
    expect(codeOf(() => decrypt(newRecord, before, AAD))).toBe("UNKNOWN_KEY_ID");

    const oldKeyDropped = createKeyring(randomBytes(32));
    expect(codeOf(() => decrypt(oldRecord, oldKeyDropped, AAD))).toBe("UNKNOWN_KEY_ID");
  });

  it("refuses to encrypt when the keyring's active key is missing", () => {
    const broken = { activeKeyId: "nope", keys: keyring.keys };
    expect(codeOf(() => encrypt("x", broken, AAD))).toBe("UNKNOWN_KEY_ID");
  });

  it("does not leak the plaintext or key in error messages", () => {
    const sealed = encrypt("hunter2", keyring, AAD);
    try {
      decrypt({ ...sealed, tag: flipBit(sealed.tag) }, keyring, AAD);
    } catch (error) {
      expect(String(error)).not.toContain("hunter2");
      return;
    }
    throw new Error("expected decryption to fail");
  });
});
