import { createHash } from "node:crypto";

/**
 * Namespace of the eventIds ingest derives (RFC 9562 version-5 UUIDs). Changing it changes every
 * derived id, so a re-delivery after a deploy would no longer dedupe against the first delivery.
 */
const INGEST_EVENT_NAMESPACE = Buffer.from("8f1c2a4e6b3d4e7f9a0b1c2d3e4f5061", "hex");

/**
 * The eventId of an IssuanceEvent ingest publishes, derived from what identifies the fact at its
 * source (channel, merchant, the sender's own event id; or topic/partition/offset): the same source
 * event yields the same eventId however often it is delivered, so the issuer's eventId dedupe drops
 * the repeats. JSON-encoded parts, so no separator inside a part can make two sources collide.
 */
export function derivedEventId(parts: readonly string[]): string {
  const bytes = createHash("sha1")
    .update(INGEST_EVENT_NAMESPACE)
    .update(JSON.stringify(parts), "utf8")
    .digest()
    .subarray(0, 16);
  bytes[6] = ((bytes[6] ?? 0) & 0x0f) | 0x50;
  bytes[8] = ((bytes[8] ?? 0) & 0x3f) | 0x80;
  const h = bytes.toString("hex");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}
