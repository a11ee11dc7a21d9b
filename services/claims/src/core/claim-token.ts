import { createHash } from "node:crypto";

/**
 * Claim tokens are random UUIDs (RFC 9562 text form). Anything else in the token position of a URL is
 * "malformed" and gets exactly the answer an unknown token gets (404), so a caller cannot tell a typo
 * from a token that never existed.
 */
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** The canonical (lowercase) token, or undefined when the text is not a UUID. */
export function parseClaimToken(raw: unknown): string | undefined {
  if (typeof raw !== "string" || raw.length !== 36) return undefined;
  const lower = raw.toLowerCase();
  return UUID.test(lower) ? lower : undefined;
}

/**
 * A stable stand-in for a token (or for whatever text stood in its place) in Redis keys: the counters
 * of a token must not hold the token itself, which would turn a Redis `KEYS` into a list of live links.
 */
export function tokenKey(raw: string): string {
  return createHash("sha256").update(`claim-token\u0000${raw}`).digest("base64url").slice(0, 32);
}

const TOKEN_SEGMENT = /(\/claims\/)[^/?#]+/g;

/**
 * The path with the segment after every `/claims/` replaced by `{token}`, for request logs. Malformed
 * segments are masked too: a truncated or mistyped link is still most of a real token.
 */
export function maskClaimTokens(path: unknown): string {
  return String(path).replace(TOKEN_SEGMENT, "$1{token}");
}
