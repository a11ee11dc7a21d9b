import { createHmac } from "node:crypto";
import { constantTimeEqual } from "./constant-time.ts";

/**
 * The platform's webhook signature, for inbound webhooks (merchant/internal → platform) and outbound
 * ones (platform → merchant endpoints) alike:
 *
 *   X-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body bytes>")>
 *
 * Several `v1=` values may be present while a secret is rotated (one per secret in use); a receiver
 * accepts the request if any of them matches any of its secrets. Items are separated by commas,
 * blanks around them are ignored, and items of other schemes (`v0=...`) are ignored so a later scheme
 * can be added beside v1. services/ingest/README.md has a worked example with openssl.
 */
export const WEBHOOK_SIGNATURE_HEADER = "x-signature";

/** One secret, or several while a secret is being rotated (any of them verifies). */
export type WebhookSecrets = string | Buffer | readonly (string | Buffer)[];

export type WebhookRejection =
  | "missing_signature"
  | "malformed_signature"
  | "timestamp_out_of_tolerance"
  | "signature_mismatch";

export type WebhookVerification = { ok: true; timestamp: number } | { ok: false; reason: WebhookRejection };

/** Header values as Node delivers them: absent, one value, or repeated. */
type HeaderValue = string | readonly string[] | undefined;

export const DEFAULT_WEBHOOK_TOLERANCE_SECONDS = 300;

/** Unix seconds. Capped in length so the number stays exact; a millisecond value is simply out of tolerance. */
const TIMESTAMP = /^\d{1,15}$/;
const HEX_SHA256 = /^[0-9a-fA-F]{64}$/;
/**
 * More v1 values than any rotation needs are refused: each one costs an HMAC comparison per secret,
 * and a header with thousands would be a cheap way to make the server work.
 */
const MAX_V1_VALUES = 8;
const MAX_HEADER_LENGTH = 1_024;

export interface SignWebhookInput {
  /** Several secrets give several v1 values (the sender's side of a rotation). */
  secret: WebhookSecrets;
  /** Unix time in seconds. */
  timestamp: number | string;
  /** The body exactly as sent: bytes are signed as they are, never re-serialised. */
  rawBody: string | Buffer;
}

/** The hex HMAC-SHA256 of `"<timestamp>.<raw body>"` with one secret (the value after `v1=`). */
export function webhookSignature(
  secret: string | Buffer,
  timestamp: number | string,
  rawBody: string | Buffer,
) {
  assertUsableSecret(secret);
  return hmac(secret, String(timestamp), rawBody).toString("hex");
}

/** The whole X-Signature header value: `t=<timestamp>,v1=<hex>[,v1=<hex>...]`. */
export function signWebhook({ secret, timestamp, rawBody }: SignWebhookInput): string {
  const t = String(timestamp);
  if (!TIMESTAMP.test(t)) throw new TypeError("timestamp must be whole unix seconds");
  const values = normaliseSecrets(secret).map((s) => `v1=${webhookSignature(s, t, rawBody)}`);
  return [`t=${t}`, ...values].join(",");
}

export interface VerifyWebhookInput {
  secret: WebhookSecrets;
  /** The X-Signature header as received. */
  signatureHeader: HeaderValue;
  rawBody: string | Buffer;
  /** Current time in milliseconds since the Unix epoch (injected so tests and replays control it). */
  now: number;
  toleranceSeconds?: number;
}

interface ParsedHeader {
  timestamp: string;
  signatures: Buffer[];
}

/** `undefined` when the header is unusable; the reason is always "malformed" (never which part). */
function parseHeader(value: string): ParsedHeader | undefined {
  if (value.length > MAX_HEADER_LENGTH) return undefined;
  let timestamp: string | undefined;
  const signatures: Buffer[] = [];
  for (const item of value.split(",")) {
    const trimmed = item.trim();
    if (trimmed === "") continue;
    const eq = trimmed.indexOf("=");
    if (eq <= 0) return undefined;
    const name = trimmed.slice(0, eq).trim();
    const itemValue = trimmed.slice(eq + 1).trim();
    if (name === "t") {
      // Two timestamps: which one did the sender sign? Refuse rather than pick.
      if (timestamp !== undefined || !TIMESTAMP.test(itemValue)) return undefined;
      timestamp = itemValue;
    } else if (name === "v1") {
      if (!HEX_SHA256.test(itemValue)) return undefined;
      signatures.push(Buffer.from(itemValue, "hex"));
    }
  }
  if (timestamp === undefined || signatures.length === 0 || signatures.length > MAX_V1_VALUES)
    return undefined;
  return { timestamp, signatures };
}

/**
 * Verifies a webhook against the raw body bytes, before anything parses them. A rejection is an
 * expected outcome (a value with a reason to log and count, never the expected signature); only a
 * misconfiguration (no usable secret, an impossible tolerance or clock) throws.
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

  const headerValue = single(input.signatureHeader);
  if (headerValue === undefined) return reject("missing_signature");
  const parsed = headerValue === null ? undefined : parseHeader(headerValue);
  if (!parsed) return reject("malformed_signature");
  const timestamp = Number(parsed.timestamp);
  if (Math.abs(input.now / 1000 - timestamp) > tolerance) return reject("timestamp_out_of_tolerance");

  // Every secret against every v1 value (no early exit), so timing does not reveal which one matched.
  let matched = false;
  for (const secret of secrets) {
    const expected = hmac(secret, parsed.timestamp, input.rawBody);
    for (const provided of parsed.signatures) {
      if (constantTimeEqual(expected, provided)) matched = true;
    }
  }
  return matched ? { ok: true, timestamp } : reject("signature_mismatch");
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
  if (secrets.length === 0) throw new TypeError("webhook signing needs at least one secret");
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
