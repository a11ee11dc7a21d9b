/**
 * What the merchant decides about issuance, read by the issuer from MerchantProfile.
 */
export interface MerchantPolicy {
  /**
   * How long after payment a buyer may still claim a company invoice (claim token). 0 means the
   * merchant does not offer claims: a payment without buyer info is invoiced to the anonymous retail
   * buyer straight away.
   */
  claimWindowMs: number;
  /**
   * A buyer that asks for (different) invoice details after the invoice was issued needs an
   * adjustment or a replacement invoice under Decree 70, with the buyer's written agreement for
   * organisations. `record` (the default a merchant should start with) only records the case for a
   * human; `adjust` / `replace` let the machine produce that correction itself.
   */
  buyerChangeAfterIssuance: "record" | "adjust" | "replace";
  /**
   * How long after a send was started a replay leaves the invoice alone (default
   * {@link SEND_IN_FLIGHT_GUARD_MS}). A provider call takes up to a few seconds, plus retries; a replay
   * inside this window could send the same key while the first send is still in flight, which makes
   * SInvoice create a second invoice.
   */
  sendInFlightGuardMs?: number;
}

/** 90 s: well above a provider call (0.1-2 s) with the issuer's own retries and timeouts. */
export const SEND_IN_FLIGHT_GUARD_MS = 90_000;

export const DEFAULT_MERCHANT_POLICY: MerchantPolicy = {
  claimWindowMs: 24 * 60 * 60 * 1000,
  buyerChangeAfterIssuance: "record",
  sendInFlightGuardMs: SEND_IN_FLIGHT_GUARD_MS,
};
