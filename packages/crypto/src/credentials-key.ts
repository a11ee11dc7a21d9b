import { createHash } from "node:crypto";
import { PlatformError } from "@invoice/errors";

/** AES-256 needs exactly 32 key bytes, given as 64 hexadecimal characters (DESIGN.md section 7). */
export const CREDENTIALS_KEY_HEX_LENGTH = 64;

const HEX_KEY = /^[0-9a-fA-F]{64}$/;

export type InvalidCredentialsKeyReason = "missing" | "wrong_length" | "not_hex" | "placeholder";

/**
 * The credentials key is unusable. The message describes the shape of the problem (length, alphabet)
 * but never the value: it ends up in start-up errors and logs.
 */
export class InvalidCredentialsKeyError extends PlatformError {
  override readonly name = "InvalidCredentialsKeyError";
  declare readonly code: "INVALID_CREDENTIALS_KEY";
  readonly reason: InvalidCredentialsKeyReason;

  constructor(message: string, options: { reason: InvalidCredentialsKeyReason; cause?: unknown }) {
    super("INVALID_CREDENTIALS_KEY", message, { retriable: false, cause: options.cause });
    this.reason = options.reason;
  }
}

/** Longest repeating unit a 32-byte key may not consist of (a 16-byte key typed twice, "deadbeef" x 8). */
const MAX_PATTERN_BYTES = 16;

/**
 * True for keys nobody generated at random: one repeated byte ("000…0", "fff…f"), a counting sequence
 * (00 01 02 …, or any constant step), or a short pattern repeated. That is what a copied example `.env`
 * or a hand-typed key looks like; a random 32-byte key is one of these with probability below 2^-120.
 */
export function isDegenerateKey(key: Uint8Array): boolean {
  if (key.length < 2) return true;
  const step = ((key[1] ?? 0) - (key[0] ?? 0)) & 0xff;
  let constantStep = true;
  for (let i = 2; i < key.length && constantStep; i++) {
    constantStep = (((key[i] ?? 0) - (key[i - 1] ?? 0)) & 0xff) === step;
  }
  if (constantStep) return true;
  for (let period = 2; period <= Math.min(MAX_PATTERN_BYTES, key.length / 2); period++) {
    let repeats = true;
    for (let i = period; i < key.length && repeats; i++) repeats = key[i] === key[i - period];
    if (repeats) return true;
  }
  return false;
}

/**
 * Parses a 64-hex-character credentials key into its 32 bytes, or throws {@link InvalidCredentialsKeyError}.
 *
 * A degenerate key ({@link isDegenerateKey}) is refused too: encrypting provider credentials with it
 * would be encryption in name only.
 */
export function parseCredentialsKey(hex: string | undefined): Buffer {
  if (hex === undefined || hex.trim() === "") {
    throw new InvalidCredentialsKeyError("credentials key is missing", { reason: "missing" });
  }
  const value = hex.trim();
  if (value.length !== CREDENTIALS_KEY_HEX_LENGTH) {
    throw new InvalidCredentialsKeyError(
      `credentials key must be exactly ${CREDENTIALS_KEY_HEX_LENGTH} hexadecimal characters (32 bytes), got ${value.length} characters`,
      { reason: "wrong_length" },
    );
  }
  if (!HEX_KEY.test(value)) {
    throw new InvalidCredentialsKeyError(
      "credentials key must contain only hexadecimal characters (0-9, a-f)",
      {
        reason: "not_hex",
      },
    );
  }
  const key = Buffer.from(value, "hex");
  if (isDegenerateKey(key)) {
    throw new InvalidCredentialsKeyError(
      "credentials key is a placeholder (a repeated byte, a counting sequence or a short repeated pattern); generate one with `openssl rand -hex 32`",
      { reason: "placeholder" },
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
