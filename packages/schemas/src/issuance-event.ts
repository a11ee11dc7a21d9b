/**
 * TypeScript view of avro/issuance-event.avsc. In Avro the payload is a union of records, which
 * avsc represents wrapped (`{ "vn.invoice.issuance.PaymentSucceeded": {...} }`); application code
 * uses the discriminated union below, and toAvro/fromAvro convert at the edge.
 */
export type BuyerKind = "COMPANY" | "INDIVIDUAL" | "UNKNOWN";

export interface Buyer {
  kind: BuyerKind;
  name: string;
  taxCode: string | null;
  personalId: string | null;
  address: string | null;
  email: string | null;
  phone: string | null;
}

export interface OrderLine {
  sku: string;
  name: string;
  unit: string | null;
  /** Decimal string, e.g. "1.5". */
  quantity: string;
  unitPriceVnd: number;
  discountVnd: number;
  /** Nature of the goods: 10, 5, 0, KCT, KKKNT or KHAC:<rate>; the rate itself follows the invoice date. */
  vatCategory: string;
  reducedRateEligible: boolean;
}

export interface PaymentSucceeded {
  paymentId: string;
  amountVnd: number;
  paidAt: number;
  lines: OrderLine[];
  buyer: Buyer | null;
}

export interface InvoiceRequested {
  buyer: Buyer;
  requestedAt: number;
  channel: string;
}

export interface ClaimSubmitted {
  claimToken: string;
  buyer: Buyer;
  submittedAt: number;
}

export interface ClaimExpired {
  claimToken: string;
  expiredAt: number;
}

export interface ReplayRequested {
  reason: string;
  requestedBy: string;
}

export interface PaymentRefunded {
  refundId: string;
  amountVnd: number;
  full: boolean;
  refundedAt: number;
}

export interface ProviderCallback {
  transactionUuid: string;
  outcome: "ISSUED" | "FAILED" | "UNKNOWN";
  invoiceNo: string | null;
  errorCode: string | null;
  errorMessage: string | null;
  receivedAt: number;
}

export interface IssuancePayloads {
  PAYMENT_SUCCEEDED: PaymentSucceeded;
  INVOICE_REQUESTED: InvoiceRequested;
  CLAIM_SUBMITTED: ClaimSubmitted;
  CLAIM_EXPIRED: ClaimExpired;
  REPLAY_REQUESTED: ReplayRequested;
  PAYMENT_REFUNDED: PaymentRefunded;
  PROVIDER_CALLBACK: ProviderCallback;
}

export type IssuanceEventType = keyof IssuancePayloads;

interface IssuanceEnvelope {
  eventId: string;
  orderId: string;
  merchantId: string;
  /** Epoch milliseconds. */
  occurredAt: number;
  source: string;
  correlationId: string | null;
}

export type IssuanceEvent = {
  [K in IssuanceEventType]: IssuanceEnvelope & { type: K; payload: IssuancePayloads[K] };
}[IssuanceEventType];

const NAMESPACE = "vn.invoice.issuance";

export const ISSUANCE_PAYLOAD_RECORD: Record<IssuanceEventType, string> = {
  PAYMENT_SUCCEEDED: `${NAMESPACE}.PaymentSucceeded`,
  INVOICE_REQUESTED: `${NAMESPACE}.InvoiceRequested`,
  CLAIM_SUBMITTED: `${NAMESPACE}.ClaimSubmitted`,
  CLAIM_EXPIRED: `${NAMESPACE}.ClaimExpired`,
  REPLAY_REQUESTED: `${NAMESPACE}.ReplayRequested`,
  PAYMENT_REFUNDED: `${NAMESPACE}.PaymentRefunded`,
  PROVIDER_CALLBACK: `${NAMESPACE}.ProviderCallback`,
};

/** The avsc (wrapped-union) representation of an IssuanceEvent. */
export type IssuanceEventAvro = IssuanceEnvelope & { type: string; payload: Record<string, unknown> };

export function issuanceEventToAvro(event: IssuanceEvent): IssuanceEventAvro {
  const { payload, ...envelope } = event;
  return { ...envelope, payload: { [ISSUANCE_PAYLOAD_RECORD[event.type]]: payload } };
}

export class UnsupportedEventError extends Error {
  override readonly name = "UnsupportedEventError";
  readonly code = "EVENT_UNSUPPORTED";
  readonly retriable = false;
}

/**
 * The payload of a wrapped-union record, checked against its `type`: fails when the two disagree, or
 * when a newer producer wrote a type this reader does not know (decoded as UNKNOWN). Such records go
 * to the DLQ with the reason.
 */
export function unwrapPayload<T extends string>(
  avro: { type: string; payload: Record<string, unknown> },
  records: Record<T, string>,
  what: string,
): { type: T; payload: object } {
  const type = avro.type as T;
  const expected = records[type];
  if (!expected) throw new UnsupportedEventError(`unsupported ${what} event type ${avro.type}`);
  const branches = Object.keys(avro.payload);
  if (branches.length !== 1 || branches[0] !== expected) {
    throw new UnsupportedEventError(
      `event type ${avro.type} carries payload ${branches.join(",")}, expected ${expected}`,
    );
  }
  return { type, payload: { ...(avro.payload[expected] as object) } };
}

export function issuanceEventFromAvro(avro: IssuanceEventAvro): IssuanceEvent {
  const { payload: _wrapped, ...envelope } = avro;
  return { ...envelope, ...unwrapPayload(avro, ISSUANCE_PAYLOAD_RECORD, "issuance") } as IssuanceEvent;
}
