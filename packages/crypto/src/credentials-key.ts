import { createHash } from "node:crypto";

/** AES-256 needs exactly 32 key bytes, given as 64 hexadecimal characters (DESIGN.md section 7). */
export const CREDENTIALS_KEY_HEX_LENGTH = 64;

const HEX_KEY = /^[0-9a-fA-F]{64}$/;

export type InvalidCredentialsKeyReason = "missing" | "wrong_length" | "not_hex" | "placeholder";

/**
 * The credentials key is unusable. The message describes the shape of the problem (length, alphabet)
 * but never the value: it ends up in start-up errors and logs.
 */
export class InvalidCredentialsKeyError extends Error {
  readonly code = "INVALID_CREDENTIALS_KEY";
  readonly retriable = false;

  constructor(
    readonly reason: InvalidCredentialsKeyReason,
    message: string,
  ) {
    super(message);
    this.name = "InvalidCredentialsKeyError";
  }
}

/**
 * Parses a 64-hex-character credentials key into its 32 bytes, or throws {@link InvalidCredentialsKeyError}.
 *
 * A key made of one repeated byte ("000…0", "fff…f") is refused too: that is what a copied example
 * `.env` looks like, and encrypting provider credentials with it would be encryption in name only.
 */
export function parseCredentialsKey(hex: string | undefined): Buffer {
  if (hex === undefined || hex.trim() === "") {
    throw new InvalidCredentialsKeyError("missing", "credentials key is missing");
  }
  const value = hex.trim();
  if (value.length !== CREDENTIALS_KEY_HEX_LENGTH) {
    throw new InvalidCredentialsKeyError(
      "wrong_length",
      `credentials key must be exactly ${CREDENTIALS_KEY_HEX_LENGTH} hexadecimal characters (32 bytes), got ${value.length} characters`,
    );
  }
  if (!HEX_KEY.test(value)) {
    throw new InvalidCredentialsKeyError(
      "not_hex",
      `credentials key must contain only hexadecimal characters (0-9, a-f)`,
    );
  }
  const key = Buffer.from(value, "hex");
  if (key.every((byte) => byte === key[0])) {
    throw new InvalidCredentialsKeyError(
      "placeholder",
      "credentials key is a placeholder (one repeated byte); generate one with `openssl rand -hex 32`",
    );
  }
  return key;
}

/**
 * Stable, non-secret identifier of a key: the first 8 bytes of a domain-separated SHA-256 of the key.
 * Stored next to every ciphertext so that after a rotation the right key is picked, without a separate
 * "key id" variable that could drift out of step with the key itself.
 */
export function credentialsKeyId(key: Buffer): string {
  return createHash("sha256").update("invoice-credentials-key-id:v1:").update(key).digest("hex").slice(0, 16);
}
