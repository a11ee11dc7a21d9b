/**
 * The two events the claims service produces on `invoice.issuance` (key = orderId), built from the
 * Claim row alone so that the API, the worker and the outbox relay build byte-identical events for
 * the same claim however often they retry (ADR 0014).
 *
 * eventIds are name-based UUIDs (RFC 9562 version 5): ClaimExpired's from the token, ClaimSubmitted's
 * from the token and the submission id. A republished event therefore has the same eventId and the
 * issuer applies it once. SHA-1 is one-way, so the id names the claim without revealing its token.
 */
import type { BuyerInfo, IssuanceEventOf } from "@invoice/domain";
import type { IssuanceMeta } from "@invoice/schemas";
import { v5 as uuidV5 } from "uuid";
import type { Locale } from "./locale.ts";

/** Fixed for ever: changing it changes every claim eventId, and the issuer would apply events twice. */
export const CLAIM_EVENT_NAMESPACE = "0d7b9c1e-6a43-4f2b-8e51-3c9a7f260b14";

export const SUBMITTED_SOURCE = "claims/api";
export const EXPIRED_SOURCE = "claims/expiry-worker";

export function claimSubmittedEventId(token: string, submissionId: string): string {
  return uuidV5(`ClaimSubmitted\u0000${token}\u0000${submissionId}`, CLAIM_EVENT_NAMESPACE);
}

export function claimExpiredEventId(token: string): string {
  return uuidV5(`ClaimExpired\u0000${token}`, CLAIM_EVENT_NAMESPACE);
}

/** What the Claim row's `submission` column holds: the buyer as normalised and published. */
export interface StoredSubmission {
  buyer: BuyerInfo;
  locale: Locale;
  /** Request id of the accepted submission: the event's correlationId. */
  requestId: string;
}

/** A claim that left OPEN through the claims service and owes its event. */
export type OwedClaim = {
  token: string;
  merchantId: string;
  orderId: string;
  claimDeadline: Date;
} & (
  | { status: "SUBMITTED"; submissionId: string; submission: StoredSubmission; submittedAt: Date }
  | { status: "EXPIRED" }
);

/** A domain event with what the wire envelope adds (@invoice/schemas' IssuanceMeta). */
export interface ClaimEvent {
  event: IssuanceEventOf<"ClaimSubmitted"> | IssuanceEventOf<"ClaimExpired">;
  meta: IssuanceMeta;
}

/**
 * ClaimSubmitted happened when the submission was accepted; ClaimExpired at the deadline itself (not
 * when a worker noticed), which keeps it deterministic and tells the issuer the fact's real time. The
 * wire record is made from this by @invoice/schemas' one mapping (issuanceEventToWire).
 */
export function owedEvent(claim: OwedClaim): ClaimEvent {
  const envelope = { orderId: claim.orderId, merchantId: claim.merchantId };
  if (claim.status === "SUBMITTED") {
    return {
      event: {
        ...envelope,
        eventId: claimSubmittedEventId(claim.token, claim.submissionId),
        occurredAt: claim.submittedAt.getTime(),
        type: "ClaimSubmitted",
        payload: { claimToken: claim.token, buyer: claim.submission.buyer },
      },
      meta: { source: SUBMITTED_SOURCE, correlationId: claim.submission.requestId },
    };
  }
  return {
    event: {
      ...envelope,
      eventId: claimExpiredEventId(claim.token),
      occurredAt: claim.claimDeadline.getTime(),
      type: "ClaimExpired",
      payload: { claimToken: claim.token },
    },
    meta: { source: EXPIRED_SOURCE, correlationId: null },
  };
}
