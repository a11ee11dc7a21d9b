import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";
import { PlatformError } from "@invoice/errors";
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
   * Additional authenticated data, required and non-empty: not stored, but must be identical on
   * decrypt. It binds a secret to its owner and purpose (e.g. `provider-credential:<merchantId>`), so a
   * row copied onto another merchant does not decrypt. Empty AAD is refused because GCM treats it
   * exactly like no AAD: it would bind nothing.
   */
  aad: string | Uint8Array;
}

export type DecryptionErrorCode = "UNKNOWN_KEY_ID" | "MALFORMED_SEALED_SECRET" | "AUTHENTICATION_FAILED";

/**
 * Decryption refused. `AUTHENTICATION_FAILED` covers a changed ciphertext, tag or iv, the wrong key and
 * the wrong AAD alike: GCM cannot tell them apart, and telling a caller which one would help an attacker.
 * Never retriable: the same record and keyring fail the same way.
 */
export class DecryptionError extends PlatformError {
  override readonly name = "DecryptionError";
  declare readonly code: DecryptionErrorCode;

  constructor(message: string, options: { code: DecryptionErrorCode; cause?: unknown }) {
    super(options.code, message, { retriable: false, cause: options.cause });
  }
}

/** Missing or empty AAD: a programming error at the call site, never retriable. */
export class InvalidAadError extends PlatformError {
  override readonly name = "InvalidAadError";
  declare readonly code: "INVALID_AAD";

  constructor(message: string, options: { cause?: unknown } = {}) {
    super("INVALID_AAD", message, { retriable: false, cause: options.cause });
  }
}

/** Encrypts with the keyring's active key and a fresh random iv. */
export function encrypt(plaintext: string | Buffer, keyring: Keyring, options: CipherOptions): SealedSecret {
  const aad = requireAad(options);
  const key = keyring.keys.get(keyring.activeKeyId);
  if (key === undefined) {
    throw new DecryptionError(`active key id ${keyring.activeKeyId} is not in the keyring`, {
      code: "UNKNOWN_KEY_ID",
    });
  }
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv(ALGORITHM, key, iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(aad);
  const ciphertext = Buffer.concat([cipher.update(toBuffer(plaintext)), cipher.final()]);
  return {
    keyId: keyring.activeKeyId,
    iv: iv.toString("base64"),
    tag: cipher.getAuthTag().toString("base64"),
    ciphertext: ciphertext.toString("base64"),
  };
}

/** Decrypts with the key named by the record; throws {@link DecryptionError} on any mismatch. */
export function decrypt(sealed: SealedSecret, keyring: Keyring, options: CipherOptions): Buffer {
  const aad = requireAad(options);
  const key = keyring.keys.get(sealed.keyId);
  if (key === undefined) {
    throw new DecryptionError(`no key with id ${String(sealed.keyId)} in the keyring`, {
      code: "UNKNOWN_KEY_ID",
    });
  }
  const iv = decodeBase64(sealed.iv, "iv");
  const tag = decodeBase64(sealed.tag, "tag");
  const ciphertext = decodeBase64(sealed.ciphertext, "ciphertext");
  if (iv.length !== IV_BYTES) {
    throw new DecryptionError(`iv must be ${IV_BYTES} bytes, got ${iv.length}`, {
      code: "MALFORMED_SEALED_SECRET",
    });
  }
  if (tag.length !== TAG_BYTES) {
    throw new DecryptionError(`tag must be ${TAG_BYTES} bytes, got ${tag.length}`, {
      code: "MALFORMED_SEALED_SECRET",
    });
  }
  const decipher = createDecipheriv(ALGORITHM, key, iv, { authTagLength: TAG_BYTES });
  decipher.setAuthTag(tag);
  decipher.setAAD(aad);
  try {
    return Buffer.concat([decipher.update(ciphertext), decipher.final()]);
  } catch {
    throw new DecryptionError("sealed secret failed authentication", { code: "AUTHENTICATION_FAILED" });
  }
}

/** {@link decrypt} for secrets that were encrypted from a UTF-8 string. */
export function decryptToString(sealed: SealedSecret, keyring: Keyring, options: CipherOptions): string {
  return decrypt(sealed, keyring, options).toString("utf8");
}

function toBuffer(value: string | Uint8Array): Buffer {
  return typeof value === "string" ? Buffer.from(value, "utf8") : Buffer.from(value);
}

function requireAad(options: CipherOptions | undefined): Buffer {
  const aad = options?.aad;
  if (typeof aad !== "string" && !(aad instanceof Uint8Array)) {
    throw new InvalidAadError("aad is required: bind the secret to its owner (e.g. the merchant id)");
  }
  const bytes = toBuffer(aad);
  if (bytes.length === 0) throw new InvalidAadError("aad must not be empty: empty AAD binds nothing in GCM");
  return bytes;
}

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** Node's base64 decoder silently skips invalid characters; a stored record must decode exactly. */
function decodeBase64(value: unknown, field: string): Buffer {
  if (typeof value !== "string" || !BASE64.test(value)) {
    throw new DecryptionError(`${field} is not valid base64`, { code: "MALFORMED_SEALED_SECRET" });
  }
  return Buffer.from(value, "base64");
}
