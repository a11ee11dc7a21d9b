/**
 * The main job's workload, decided up front and deterministically from the order count: which order
 * is which buyer case, which merchant sells it, how its events reach us (commerce Avro topic or signed
 * webhook) and what it costs. Pure; the rest of the main job sends and watches what this plans.
 */

/** How an order's buyer ends up on its invoice (the summary's rows). */
export type BuyerCase =
  /** Tax info given at checkout: inline in the payment, or an invoice request before the payment. */
  | "checkout"
  /** No buyer at payment; the buyer claims through the claims API before the deadline. */
  | "claimed"
  /** No buyer at payment and no claim: the claim expires and the invoice goes to the anonymous buyer. */
  | "expired"
  /** A merchant without a claim window: issued to the anonymous buyer at once. */
  | "anonymous"
  /** Refunded in full while its claim is open: never invoiced (IssuanceCancelled). */
  | "refunded_before"
  /** Checkout buyer, refunded in part after issuance: the invoice gets an adjustment. */
  | "refunded_after";

export const BUYER_CASES: readonly BuyerCase[] = [
  "checkout",
  "claimed",
  "expired",
  "anonymous",
  "refunded_before",
  "refunded_after",
];

/** The channel of the order's first event. */
export type Channel = "avro" | "webhook" | "request-then-avro";

export interface MerchantPlan {
  merchantId: string;
  displayName: string;
  /** 0: no claim, anonymous at once. */
  claimWindowSeconds: number;
  invoiceSeries: string;
}

export interface OrderPlan {
  orderId: string;
  merchantId: string;
  buyerCase: BuyerCase;
  channel: Channel;
  /** Net price of the single line, VND; the payment is net + 10 % VAT. */
  unitPriceVnd: number;
  quantity: number;
  amountVnd: number;
}

export interface WorkloadPlan {
  runId: string;
  merchants: MerchantPlan[];
  orders: OrderPlan[];
}

/** Out of every 20 orders (a stable mix for any size; the smallest runs still see every case). */
const MIX: readonly BuyerCase[] = [
  "checkout",
  "checkout",
  "checkout",
  "checkout",
  "checkout",
  "checkout",
  "checkout",
  "claimed",
  "claimed",
  "claimed",
  "claimed",
  "expired",
  "expired",
  "expired",
  "anonymous",
  "anonymous",
  "refunded_before",
  "refunded_before",
  "refunded_after",
  "refunded_after",
];

const CHANNELS: readonly Channel[] = ["avro", "webhook", "request-then-avro"];

export function planWorkload(options: {
  runId: string;
  orders: number;
  merchants: number;
  claimWindowSeconds: number;
}): WorkloadPlan {
  const { runId } = options;
  const merchantCount = Math.max(2, options.merchants);
  // The last merchant has no claim window (its claimless orders go anonymous at once); the others
  // share the run's short window. One invoice series per merchant (A, B, C...).
  const merchants: MerchantPlan[] = Array.from({ length: merchantCount }, (_, i) => ({
    merchantId: `MJ-${runId}-${i + 1}`,
    displayName: `Cửa hàng ${i + 1} (main job ${runId})`,
    claimWindowSeconds: i === merchantCount - 1 ? 0 : options.claimWindowSeconds,
    invoiceSeries: `C26T${String.fromCharCode(65 + (Math.floor(i / 26) % 26))}${String.fromCharCode(65 + (i % 26))}`,
  }));
  const withWindow = merchants.filter((m) => m.claimWindowSeconds > 0);
  const withoutWindow = merchants.filter((m) => m.claimWindowSeconds === 0);
  const orders: OrderPlan[] = [];
  for (let n = 0; n < options.orders; n++) {
    const buyerCase = MIX[n % MIX.length] as BuyerCase;
    const pool = buyerCase === "anonymous" ? withoutWindow : withWindow;
    const merchant = pool[Math.floor(n / MIX.length) % pool.length] as MerchantPlan;
    // Claim, expiry and refund-before cases need a payment without buyer: commerce Avro or webhook.
    const channel =
      buyerCase === "checkout" || buyerCase === "refunded_after"
        ? (CHANNELS[n % CHANNELS.length] as Channel)
        : n % 2 === 0
          ? "avro"
          : "webhook";
    const unitPriceVnd = 10_000 * (1 + (n % 50));
    const quantity = 1 + (n % 3);
    orders.push({
      orderId: `MJ-${runId}-O${String(n + 1).padStart(6, "0")}`,
      merchantId: merchant.merchantId,
      buyerCase,
      channel,
      unitPriceVnd,
      quantity,
      amountVnd: Math.round(unitPriceVnd * quantity * 1.1),
    });
  }
  return { runId, merchants, orders };
}

/** Whether the case ends in an original invoice (all but the order refunded before issuance). */
export const expectsInvoice = (c: BuyerCase) => c !== "refunded_before";
/** Whether the payment carries no buyer, so a claim opens. */
export const expectsClaim = (c: BuyerCase) => c === "claimed" || c === "expired" || c === "refunded_before";
