import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";
import type { Keyring } from "./keyring.ts";

const ALGORITHM = "aes-256-gcm";
/** 96-bit IVs are what GCM is designed for; random ones are safe for far more than 2^32 records per key. */
const IV_BYTES = 12;
/** Full-length tags only: Node would otherwise accept a truncated tag, which weakens authentication. */
const TAG_BYTES = 16;

/**
 * An encrypted value as stored (all binary fields base64). `keyId` names the keyring entry that sealed it.
 */
export interface SealedSecret {
  keyId: string;
  iv: string;
  tag: string;
  ciphertext: string;
}

export interface CipherOptions {
  /**
   * Additional authenticated data: not stored, but must be identical on decrypt. Bind a secret to its
   * owner (for example the merchant id) so that a row copied onto another merchant does not decrypt.
   */
  aad?: string | Buffer;
}

export type DecryptionErrorCode = "UNKNOWN_KEY_ID" | "MALFORMED_SEALED_SECRET" | "AUTHENTICATION_FAILED";

/**
 * Decryption refused. `AUTHENTICATION_FAILED` covers a changed ciphertext, tag or iv, the wrong key and
 * the wrong AAD alike: GCM cannot tell them apart, and telling a caller which one would help an attacker.
 */
export class DecryptionError extends Error {
  readonly retriable = false;

  constructor(
    readonly code: DecryptionErrorCode,
    message: string,
  ) {
    super(message);
    this.name = "DecryptionError";
  }
}

/** Encrypts with the keyring's active key and a fresh random iv. */
export function encrypt(
  plaintext: string | Buffer,
  keyring: Keyring,
  options: CipherOptions = {},
): SealedSecret {
  const key = keyring.keys.get(keyring.activeKeyId);
  if (key === undefined) {
    throw new DecryptionError("UNKNOWN_KEY_ID", `active key id ${keyring.activeKeyId} is not in the keyring`);
  }
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv(ALGORITHM, key, iv, { authTagLength: TAG_BYTES });
  if (options.aad !== undefined) cipher.setAAD(toBuffer(options.aad));
  const ciphertext = Buffer.concat([cipher.update(toBuffer(plaintext)), cipher.final()]);
  return {
    keyId: keyring.activeKeyId,
    iv: iv.toString("base64"),
    tag: cipher.getAuthTag().toString("base64"),
    ciphertext: ciphertext.toString("base64"),
  };
}

/** Decrypts with the key named by the record; throws {@link DecryptionError} on any mismatch. */
export function decrypt(sealed: SealedSecret, keyring: Keyring, options: CipherOptions = {}): Buffer {
  const key = keyring.keys.get(sealed.keyId);
  if (key === undefined) {
    throw new DecryptionError("UNKNOWN_KEY_ID", `no key with id ${String(sealed.keyId)} in the keyring`);
  }
  const iv = decodeBase64(sealed.iv, "iv");
  const tag = decodeBase64(sealed.tag, "tag");
  const ciphertext = decodeBase64(sealed.ciphertext, "ciphertext");
  if (iv.length !== IV_BYTES) {
    throw new DecryptionError("MALFORMED_SEALED_SECRET", `iv must be ${IV_BYTES} bytes, got ${iv.length}`);
  }
  if (tag.length !== TAG_BYTES) {
    throw new DecryptionError("MALFORMED_SEALED_SECRET", `tag must be ${TAG_BYTES} bytes, got ${tag.length}`);
  }
  const decipher = createDecipheriv(ALGORITHM, key, iv, { authTagLength: TAG_BYTES });
  decipher.setAuthTag(tag);
  if (options.aad !== undefined) decipher.setAAD(toBuffer(options.aad));
  try {
    return Buffer.concat([decipher.update(ciphertext), decipher.final()]);
  } catch {
    throw new DecryptionError("AUTHENTICATION_FAILED", "sealed secret failed authentication");
  }
}

/** {@link decrypt} for secrets that were encrypted from a UTF-8 string. */
export function decryptToString(sealed: SealedSecret, keyring: Keyring, options: CipherOptions = {}): string {
  return decrypt(sealed, keyring, options).toString("utf8");
}

function toBuffer(value: string | Buffer): Buffer {
  return typeof value === "string" ? Buffer.from(value, "utf8") : value;
}

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** Node's base64 decoder silently skips invalid characters; a stored record must decode exactly. */
function decodeBase64(value: unknown, field: string): Buffer {
  if (typeof value !== "string" || !BASE64.test(value)) {
    throw new DecryptionError("MALFORMED_SEALED_SECRET", `${field} is not valid base64`);
  }
  return Buffer.from(value, "base64");
}
