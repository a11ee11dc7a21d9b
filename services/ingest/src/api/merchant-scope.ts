import { HttpProblem } from "@invoice/http";
import type { Principal } from "./jwt-auth.ts";

/**
 * Merchant-level authorisation lives in the data access itself: every query of the merchant API takes
 * a scope and puts `merchantId = scope.merchantId` in its WHERE clause. For a merchant the token does
 * not hold, the scope's merchantId is NO_MERCHANT, a value no row can have (longer than the 64
 * characters of every merchantId column): the same queries run and find nothing, so merchant B's
 * invoice answers merchant A exactly like an invoice that does not exist — a 404 after the same query,
 * never its data, never an early answer that times differently.
 */
export interface MerchantScope {
  /** What queries filter by. */
  readonly merchantId: string;
  /** The merchant the path names (for messages and idempotency records; never for queries). */
  readonly requested: string;
  readonly authorised: boolean;
}

export const NO_MERCHANT = `~no-merchant~${"0".repeat(64)}`;

export function merchantScope(principal: Principal, requested: string): MerchantScope {
  const authorised = principal.merchantIds.includes(requested);
  return { merchantId: authorised ? requested : NO_MERCHANT, requested, authorised };
}

export function notFound(what: string): HttpProblem {
  return new HttpProblem({
    status: 404,
    code: `${what.toUpperCase().replaceAll(" ", "_")}_NOT_FOUND`,
    detail: `No such ${what}.`,
  });
}

/**
 * For writes: nothing may be written under a merchant the token does not hold. Called after the
 * route's scoped read (which found nothing for such a scope), so the refusal costs the same query.
 */
export function assertWritable(scope: MerchantScope, what: string): void {
  if (!scope.authorised) throw notFound(what);
}
