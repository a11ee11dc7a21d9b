import { unwrapPayload } from "./issuance-event.ts";

/** TypeScript view of avro/invoice-event.avsc (see issuance-event.ts for the union convention). */
export type InvoiceRole = "ORIGINAL" | "ADJUSTMENT" | "REPLACEMENT" | "UNKNOWN";

/** Identifies the invoice within its order; null in records written before these fields existed. */
interface InvoiceIdentity {
  invoiceSeq: number | null;
  transactionUuid: string | null;
}

export interface InvoiceIssued extends InvoiceIdentity {
  invoiceNo: string;
  templateCode: string;
  invoiceSeries: string;
  /** Days since 1970-01-01 (Avro `date`). */
  invoiceDate: number;
  totalPayableVnd: number;
  buyerKind: "COMPANY" | "INDIVIDUAL" | "ANONYMOUS_RETAIL" | "UNKNOWN";
  provider: string;
  lookupCode: string | null;
  role: InvoiceRole;
}

export interface InvoiceFailed extends InvoiceIdentity {
  errorCode: string;
  reason: string;
  attempts: number;
  role: InvoiceRole;
}

export interface ClaimOpened {
  claimToken: string;
  claimDeadline: number;
  /** The claim link (claims base URL + token); null in records written before the field existed. */
  claimUrl: string | null;
}

export interface ClaimExpiredOutcome {
  claimToken: string;
  issuedToAnonymousBuyer: boolean;
}

export interface IssuanceCancelled extends InvoiceIdentity {
  reason: string;
}

export interface AdjustmentRequired extends InvoiceIdentity {
  kind: "ADJUSTMENT" | "REPLACEMENT" | "UNKNOWN";
  reason: string;
  automatic: boolean;
  relatesToSeq: number | null;
}

export interface LateBuyerRequestRecorded {
  requestEventId: string;
  reason: string;
}

export interface ClaimResolved {
  claimToken: string;
  reason: "SUBMITTED" | "REQUESTED" | "REFUNDED" | "UNKNOWN";
}

export interface ReviewRequired {
  code: string;
  message: string;
}

export interface InvoicePayloads {
  INVOICE_ISSUED: InvoiceIssued;
  INVOICE_FAILED: InvoiceFailed;
  CLAIM_OPENED: ClaimOpened;
  CLAIM_EXPIRED: ClaimExpiredOutcome;
  ISSUANCE_CANCELLED: IssuanceCancelled;
  ADJUSTMENT_REQUIRED: AdjustmentRequired;
  LATE_BUYER_REQUEST_RECORDED: LateBuyerRequestRecorded;
  CLAIM_RESOLVED: ClaimResolved;
  REVIEW_REQUIRED: ReviewRequired;
}

export type InvoiceEventType = keyof InvoicePayloads;

interface InvoiceEnvelope {
  eventId: string;
  orderId: string;
  merchantId: string;
  invoiceId: string | null;
  occurredAt: number;
  causationEventId: string | null;
}

export type InvoiceEvent = {
  [K in InvoiceEventType]: InvoiceEnvelope & { type: K; payload: InvoicePayloads[K] };
}[InvoiceEventType];

const NAMESPACE = "vn.invoice.events";

export const INVOICE_PAYLOAD_RECORD: Record<InvoiceEventType, string> = {
  INVOICE_ISSUED: `${NAMESPACE}.InvoiceIssued`,
  INVOICE_FAILED: `${NAMESPACE}.InvoiceFailed`,
  CLAIM_OPENED: `${NAMESPACE}.ClaimOpened`,
  CLAIM_EXPIRED: `${NAMESPACE}.ClaimExpiredOutcome`,
  ISSUANCE_CANCELLED: `${NAMESPACE}.IssuanceCancelled`,
  ADJUSTMENT_REQUIRED: `${NAMESPACE}.AdjustmentRequired`,
  LATE_BUYER_REQUEST_RECORDED: `${NAMESPACE}.LateBuyerRequestRecorded`,
  CLAIM_RESOLVED: `${NAMESPACE}.ClaimResolved`,
  REVIEW_REQUIRED: `${NAMESPACE}.ReviewRequired`,
};

export type InvoiceEventAvro = InvoiceEnvelope & { type: string; payload: Record<string, unknown> };

export function invoiceEventToAvro(event: InvoiceEvent): InvoiceEventAvro {
  const { payload, ...envelope } = event;
  return { ...envelope, payload: { [INVOICE_PAYLOAD_RECORD[event.type]]: payload } };
}

/** See {@link unwrapPayload}. */
export function invoiceEventFromAvro(avro: InvoiceEventAvro): InvoiceEvent {
  const { payload: _wrapped, ...envelope } = avro;
  return { ...envelope, ...unwrapPayload(avro, INVOICE_PAYLOAD_RECORD, "invoice") } as InvoiceEvent;
}
