/**
 * What a claim is, for the buyer, at a given moment: the one place that turns the row's status, its
 * deadline and the issuer's verdict into the page (and JSON) the buyer gets. Pure; `now` is passed in.
 */

/** The Claim row's status column (prisma/schema.prisma ClaimStatus). */
export type ClaimStatus = "OPEN" | "SUBMITTED" | "EXPIRED" | "CANCELLED";
/** The issuer's verdict when its state machine closed the claim (ClaimCloseReason). */
export type ClaimCloseReason = "SUBMITTED" | "REQUESTED" | "EXPIRED" | "REFUNDED";

export interface ClaimFacts {
  status: ClaimStatus;
  /** Epoch ms. */
  claimDeadline: number;
  closedReason: ClaimCloseReason | null;
  /** Status of the order's invoice once the issuer created one (InvoiceStatus), else null. */
  invoiceStatus: string | null;
}

/**
 * - `open`: the form, until the deadline;
 * - `submitted`: the buyer's details were accepted; `outcome` says what became of them;
 * - `expired`: the deadline passed without a submission (even before the worker has published
 *   ClaimExpired: the page never offers a form the API would refuse);
 * - `closed`: the issuer closed it for another reason (a refund, or buyer details from checkout).
 */
export type ClaimView =
  | { phase: "open" }
  | { phase: "submitted"; outcome: SubmissionOutcome }
  | { phase: "expired" }
  | { phase: "closed" };

/**
 * - `pending`: accepted, the invoice is not issued yet;
 * - `issued`: the invoice was issued to the submitted buyer;
 * - `superseded`: the state machine decided the order on something else that reached it first (details
 *   from checkout); the submission is kept and surfaced to the merchant, never silently dropped.
 */
export type SubmissionOutcome = "pending" | "issued" | "superseded";

const ISSUED_STATUSES = new Set(["ISSUED", "ADJUSTED", "REPLACED"]);

export function viewClaim(claim: ClaimFacts, now: number): ClaimView {
  switch (claim.status) {
    case "OPEN":
      return now < claim.claimDeadline ? { phase: "open" } : { phase: "expired" };
    case "SUBMITTED":
      if (claim.closedReason === "REFUNDED") return { phase: "closed" };
      if (claim.closedReason === null) return { phase: "submitted", outcome: "pending" };
      if (claim.closedReason !== "SUBMITTED") return { phase: "submitted", outcome: "superseded" };
      return {
        phase: "submitted",
        outcome:
          claim.invoiceStatus !== null && ISSUED_STATUSES.has(claim.invoiceStatus) ? "issued" : "pending",
      };
    case "EXPIRED":
      return { phase: "expired" };
    case "CANCELLED":
      return { phase: "closed" };
  }
}

/** The refusal a submission gets in each phase but `open` (problem `code`, HTTP status). */
export const SUBMISSION_REFUSALS = {
  submitted: { status: 409, code: "CLAIM_ALREADY_SUBMITTED" },
  expired: { status: 410, code: "CLAIM_EXPIRED" },
  closed: { status: 410, code: "CLAIM_CLOSED" },
} as const;
