/** TypeScript view of avro/invoice-event.avsc (see issuance-event.ts for the union convention). */
export interface InvoiceIssued {
  invoiceNo: string;
  templateCode: string;
  invoiceSeries: string;
  /** Days since 1970-01-01 (Avro `date`). */
  invoiceDate: number;
  totalPayableVnd: number;
  buyerKind: "COMPANY" | "INDIVIDUAL" | "ANONYMOUS_RETAIL" | "UNKNOWN";
  provider: string;
  lookupCode: string | null;
}

export interface InvoiceFailed {
  errorCode: string;
  reason: string;
  attempts: number;
}

export interface ClaimOpened {
  claimToken: string;
  claimDeadline: number;
}

export interface ClaimExpiredOutcome {
  claimToken: string;
  issuedToAnonymousBuyer: boolean;
}

export interface IssuanceCancelled {
  reason: string;
}

export interface AdjustmentRequired {
  kind: "ADJUSTMENT" | "REPLACEMENT" | "UNKNOWN";
  reason: string;
  automatic: boolean;
}

export interface LateBuyerRequestRecorded {
  requestEventId: string;
  reason: string;
}

export interface InvoicePayloads {
  INVOICE_ISSUED: InvoiceIssued;
  INVOICE_FAILED: InvoiceFailed;
  CLAIM_OPENED: ClaimOpened;
  CLAIM_EXPIRED: ClaimExpiredOutcome;
  ISSUANCE_CANCELLED: IssuanceCancelled;
  ADJUSTMENT_REQUIRED: AdjustmentRequired;
  LATE_BUYER_REQUEST_RECORDED: LateBuyerRequestRecorded;
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
};

export type InvoiceEventAvro = InvoiceEnvelope & { type: string; payload: Record<string, unknown> };

export function invoiceEventToAvro(event: InvoiceEvent): InvoiceEventAvro {
  const { payload, ...envelope } = event;
  return { ...envelope, payload: { [INVOICE_PAYLOAD_RECORD[event.type]]: payload } };
}
