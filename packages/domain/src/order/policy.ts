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
   * A refund of an issued invoice (including one the provider issued after the order was cancelled
   * for a full refund): `adjust` (default) issues a decrease adjustment; `record` leaves it to a human
   * (REFUND_AFTER_ISSUANCE), for merchants whose buyers issue return invoices themselves.
   */
  refundAfterIssuance?: "adjust" | "record";
  /**
   * The lease of one provider call (default {@link SEND_LEASE_MS}): no other call on the same key is
   * decided before it ends, and a call whose outcome stays unknown is only followed up after a
   * decision has seen the lease over and a second lease has passed (README "The issuer's
   * contract"). It must exceed the send start window plus the longest time the provider may still
   * act on a request after it was sent.
   */
  sendLeaseMs?: number;
}

/**
 * 120 s: the issuer starts a call within {@link SEND_START_WINDOW_MS} of deciding it, and SInvoice
 * asks clients to wait at least 90 s after a timeout before sending the same key again (two
 * concurrent sends of one key create two invoices).
 */
export const SEND_LEASE_MS = 120_000;

/**
 * The issuer must start a decided provider call within 15 s (or a quarter of a shorter lease), else
 * it reports not-sent: a call started late could still be running when the lease ends.
 */
export const SEND_START_WINDOW_MS = 15_000;

export const DEFAULT_MERCHANT_POLICY: MerchantPolicy = {
  claimWindowMs: 24 * 60 * 60 * 1000,
  buyerChangeAfterIssuance: "record",
  refundAfterIssuance: "adjust",
  sendLeaseMs: SEND_LEASE_MS,
};

export function leaseMsOf(policy: MerchantPolicy): number {
  const lease = policy.sendLeaseMs ?? SEND_LEASE_MS;
  return Number.isSafeInteger(lease) && lease > 0 ? lease : SEND_LEASE_MS;
}

export function startWindowMsOf(policy: MerchantPolicy): number {
  return Math.min(SEND_START_WINDOW_MS, Math.floor(leaseMsOf(policy) / 4));
}

/** What a call must leave between its end and its lease's end with the default lease (5 s). */
export const CALL_END_MARGIN_MS = 5_000;

/**
 * The timeout the issuer gives a provider call it starts at `now` (lookup and send together, no
 * retries inside it), or undefined when it must not start: its `startBy` has passed (report
 * `not-sent`). The call then ends at least a margin before `leaseUntil`: 5 s with the default lease,
 * a quarter of what is left after the start window with a short one (tests), so the timeout is
 * always positive. Never pass 0 or less to an HTTP client instead: axios, for one, reads 0 as no
 * timeout at all, and a call that outlives its lease can overlap the next call of its key.
 */
export function providerCallTimeoutMs(
  call: { startBy: number; leaseUntil: number },
  now: number,
): number | undefined {
  if (!Number.isFinite(now) || now > call.startBy) return undefined;
  const margin = Math.min(CALL_END_MARGIN_MS, Math.floor((call.leaseUntil - call.startBy) / 4));
  const timeout = call.leaseUntil - now - margin;
  return timeout > 0 ? timeout : undefined;
}
