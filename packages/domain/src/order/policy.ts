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
}

export const DEFAULT_MERCHANT_POLICY: MerchantPolicy = {
  claimWindowMs: 24 * 60 * 60 * 1000,
  buyerChangeAfterIssuance: "record",
};
