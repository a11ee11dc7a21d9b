import { timingSafeEqual } from "node:crypto";

/**
 * Constant-time equality for byte strings. `timingSafeEqual` throws on different lengths; here a length
 * mismatch is just `false` (the length of an HMAC is public anyway), after a same-length comparison so
 * both paths do comparable work.
 */
export function constantTimeEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) {
    timingSafeEqual(a, a);
    return false;
  }
  return timingSafeEqual(a, b);
}
