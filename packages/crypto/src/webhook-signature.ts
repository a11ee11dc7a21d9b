import { createHmac } from "node:crypto";
import { constantTimeEqual } from "./constant-time.ts";

/** One secret, or several while a secret is being rotated (any of them verifies). */
export type WebhookSecrets = string | Buffer | readonly (string | Buffer)[];

export type WebhookRejection =
  | "missing_signature"
  | "malformed_signature"
  | "missing_timestamp"
  | "malformed_timestamp"
  | "timestamp_out_of_tolerance"
  | "signature_mismatch";

export type WebhookVerification = { ok: true } | { ok: false; reason: WebhookRejection };

/** Header values as Node delivers them: absent, one value, or repeated. */
type HeaderValue = string | readonly string[] | undefined;

export const DEFAULT_WEBHOOK_TOLERANCE_SECONDS = 300;

const SIGNATURE = /^(?:sha256=)?([0-9a-fA-F]{64})$/;
/** Unix seconds. Capped in length so the number stays exact; a millisecond value is simply out of tolerance. */
const TIMESTAMP = /^\d{1,15}$/;

export interface SignWebhookInput {
  secret: string | Buffer;
  /** Unix time in seconds, as sent in the timestamp header. */
  timestamp: number | string;
  /** The body exactly as sent: bytes are signed as they are, never re-serialised. */
  rawBody: string | Buffer;
}

/** HMAC-SHA256 over `${timestamp}.${rawBody}`, as 64 lowercase hex characters (the signature header value). */
export function signWebhook({ secret, timestamp, rawBody }: SignWebhookInput): string {
  assertUsableSecret(secret);
  return hmac(secret, String(timestamp), rawBody).toString("hex");
}

export interface VerifyWebhookInput {
  secret: WebhookSecrets;
  timestampHeader: HeaderValue;
  /** 64 hex characters, optionally prefixed `sha256=`. */
  signatureHeader: HeaderValue;
  rawBody: string | Buffer;
  /** Current time in milliseconds since the Unix epoch (injected so tests and replays control it). */
  now: number;
  toleranceSeconds?: number;
}

/**
 * Verifies a webhook. A rejection is an expected outcome (a value with a reason to log and count);
 * only a misconfiguration (no usable secret) throws.
 */
export function verifyWebhook(input: VerifyWebhookInput): WebhookVerification {
  const secrets = normaliseSecrets(input.secret);
  const tolerance = input.toleranceSeconds ?? DEFAULT_WEBHOOK_TOLERANCE_SECONDS;
  // NaN would make every timestamp comparison false and so switch replay protection off silently.
  if (!Number.isFinite(tolerance) || tolerance < 0) {
    throw new TypeError(`toleranceSeconds must be a finite number >= 0, got ${tolerance}`);
  }
  if (!Number.isFinite(input.now))
    throw new TypeError(`now must be a finite epoch-ms number, got ${input.now}`);

  const signatureValue = single(input.signatureHeader);
  if (signatureValue === undefined) return reject("missing_signature");
  const signatureMatch = signatureValue === null ? null : SIGNATURE.exec(signatureValue.trim());
  if (!signatureMatch?.[1]) return reject("malformed_signature");
  const provided = Buffer.from(signatureMatch[1], "hex");

  const timestampValue = single(input.timestampHeader);
  if (timestampValue === undefined) return reject("missing_timestamp");
  if (timestampValue === null || !TIMESTAMP.test(timestampValue.trim())) return reject("malformed_timestamp");
  const timestamp = timestampValue.trim();
  if (Math.abs(input.now / 1000 - Number(timestamp)) > tolerance) return reject("timestamp_out_of_tolerance");

  // Every secret is tried (no early exit), so timing does not reveal which one matched.
  let matched = false;
  for (const secret of secrets) {
    if (constantTimeEqual(hmac(secret, timestamp, input.rawBody), provided)) matched = true;
  }
  return matched ? { ok: true } : reject("signature_mismatch");
}

function hmac(secret: string | Buffer, timestamp: string, rawBody: string | Buffer): Buffer {
  return createHmac("sha256", secret)
    .update(`${timestamp}.`, "utf8")
    .update(typeof rawBody === "string" ? Buffer.from(rawBody, "utf8") : rawBody)
    .digest();
}

/** `undefined` = absent or empty; `null` = present but unusable (repeated header). */
function single(value: HeaderValue): string | null | undefined {
  if (value === undefined) return undefined;
  if (typeof value === "string") return value.trim() === "" ? undefined : value;
  if (value.length === 0) return undefined;
  return value.length === 1 && value[0] !== undefined ? single(value[0]) : null;
}

function normaliseSecrets(secret: WebhookSecrets): readonly (string | Buffer)[] {
  const secrets = typeof secret === "string" || Buffer.isBuffer(secret) ? [secret] : secret;
  if (secrets.length === 0) throw new TypeError("verifyWebhook needs at least one secret");
  for (const s of secrets) assertUsableSecret(s);
  return secrets;
}

function assertUsableSecret(secret: string | Buffer): void {
  // node:crypto accepts an empty HMAC key: an unset secret would verify signatures anyone can compute.
  if (secret.length === 0) throw new TypeError("webhook secret must not be empty");
}

function reject(reason: WebhookRejection): WebhookVerification {
  return { ok: false, reason };
}
