/**
 * The claims service's metrics. Labels are small fixed vocabularies: never a token, an order id or a
 * path (a token in a label would be a list of live claim links on every dashboard).
 */
import { invoiceCounter, invoiceHistogram, type Registry } from "@invoice/observability";

export type ClaimEventType = "ClaimSubmitted" | "ClaimExpired";

export function createClaimsMetrics(registry: Registry) {
  return {
    /** Submissions by answer: accepted, invalid, already_submitted, expired, closed, not_found. */
    submissions: invoiceCounter(registry, {
      name: "claim_submissions",
      help: "Claim submissions by outcome.",
      labelNames: ["outcome"],
    }),
    /** Requests refused by a rate limit, by which limit (address, token, submissions, not_found). */
    rateLimited: invoiceCounter(registry, {
      name: "claim_requests_rate_limited",
      help: "Claim requests answered 429, by limit.",
      labelNames: ["limit"],
    }),
    /** Lookups of tokens that do not exist or are malformed (guessing shows up here). */
    unknownTokens: invoiceCounter(registry, {
      name: "claim_unknown_tokens",
      help: "Claim requests naming an unknown or malformed token.",
    }),
    /** Claim events acknowledged by Kafka, by type and by who sent them (direct: API/worker; relay). */
    eventsPublished: invoiceCounter(registry, {
      name: "claim_events_published",
      help: "Claim events acknowledged by Kafka.",
      labelNames: ["type", "path"],
    }),
    /** Failed publishes; the event stays owed and the relay sends it again. */
    publishFailures: invoiceCounter(registry, {
      name: "claim_event_publish_failures",
      help: "Claim event publishes that failed (the outbox relay retries them).",
      labelNames: ["type", "code"],
    }),
    /** Claims moved to EXPIRED, by what found them due (schedule: Redis; scan: PostgreSQL). */
    expired: invoiceCounter(registry, {
      name: "claims_expired",
      help: "Claims expired by the worker, by what found them due.",
      labelNames: ["found_by"],
    }),
    /** Deadline -> ClaimExpired acknowledged by Kafka. */
    expiryDelay: invoiceHistogram(registry, {
      name: "claim_expiry_delay",
      help: "Time from a claim's deadline to its ClaimExpired being acknowledged by Kafka.",
      buckets: [0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 300, 1800],
    }),
  };
}

export type ClaimsMetrics = ReturnType<typeof createClaimsMetrics>;
