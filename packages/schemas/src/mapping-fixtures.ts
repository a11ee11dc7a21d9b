// Domain-side samples for the mapping tests (unit and on the registry): one of every event that
// crosses invoice.issuance, one of every type the machine publishes, and the context the issuer adds.
import type { ExternalIssuanceEvent, InvoiceEvent } from "@invoice/domain";
import type { PublishContext } from "./invoice-event-mapping.ts";
import type { IssuanceMeta } from "./issuance-mapping.ts";

const T = 1_773_543_600_000; // 2026-03-15T03:00:00Z
const envelope = { orderId: "ORD-1", merchantId: "M-1", occurredAt: T };
const company = {
  kind: "company" as const,
  name: "Công ty TNHH Hóa Đơn Việt",
  taxCode: "0100109106",
  address: "Số 1 Tràng Tiền, Hà Nội",
  email: "ketoan@example.vn",
  phone: "0241234567",
};
const TOKEN = "5b0e4d1c-1f0a-4c49-9d53-0c7a7e1b3c11";
const KEY = "aaebb356-67c6-50b6-9269-2f20c8d88b1b";

export const issuanceMeta: IssuanceMeta = { source: "ingest/commerce-payments", correlationId: "corr-1" };

/** One of every event type on invoice.issuance, in the canonical domain form. */
export const domainIssuanceEvents: ExternalIssuanceEvent[] = [
  {
    ...envelope,
    eventId: "e-1",
    type: "PaymentSucceeded",
    payload: {
      paymentId: "P-1",
      amountVnd: 1_088_000,
      paidAt: T,
      lines: [
        {
          sku: "SKU-1",
          name: "Cà phê sữa đá",
          unit: "ly",
          quantity: "2",
          unitPriceVnd: 300_000,
          vatCategory: "VAT10_REDUCIBLE",
        },
        {
          sku: "SKU-2",
          name: "Gói cước",
          quantity: "1.5",
          unitPriceVnd: 300_000,
          discountVnd: 50_000,
          vatCategory: "VAT10",
        },
        { sku: "SKU-3", name: "Sách", quantity: "1", unitPriceVnd: 0, vatCategory: "KHAC:3.5%" },
      ],
      buyer: company,
    },
  },
  { ...envelope, eventId: "e-2", type: "InvoiceRequested", payload: { buyer: company, channel: "checkout" } },
  {
    ...envelope,
    eventId: "e-3",
    type: "ClaimSubmitted",
    payload: {
      claimToken: TOKEN,
      buyer: { kind: "individual", name: "Nguyễn Văn A", personalId: "001099012345" },
    },
  },
  { ...envelope, eventId: "e-4", type: "ClaimExpired", payload: { claimToken: TOKEN } },
  {
    ...envelope,
    eventId: "e-5",
    type: "ReplayRequested",
    payload: { reason: "provider outage", requestedBy: "ops@platform" },
  },
  {
    ...envelope,
    eventId: "e-6",
    type: "PaymentRefunded",
    payload: { refundId: "R-1", amountVnd: 100_000, full: false },
  },
  {
    ...envelope,
    eventId: "e-7",
    type: "ProviderCallback",
    payload: { transactionUuid: KEY, outcome: "issued", invoiceNo: "123" },
  },
  {
    ...envelope,
    eventId: "e-8",
    type: "ProviderCallback",
    payload: {
      transactionUuid: KEY,
      outcome: "failed",
      errorCode: "INVOICE_STATUS_INVALID",
      errorMessage: "x",
    },
  },
];

const published = { ...envelope, causationEventId: "e-1" };
export const issuedContext: PublishContext = {
  invoiceId: "1234567890123456789",
  issued: {
    templateCode: "1",
    invoiceSeries: "C26TAA",
    totalPayableVnd: 1_088_000,
    provider: "sinvoice",
    lookupCode: "LK-9",
  },
};

/** One of every type the machine publishes (two ReviewRequired: they travel as two wire types). */
export const domainInvoiceEvents: [InvoiceEvent, PublishContext][] = [
  [
    {
      ...published,
      eventId: "e-1:1",
      type: "ClaimOpened",
      payload: { claimToken: TOKEN, claimDeadline: T + 3_600_000 },
    },
    { invoiceId: null, claimUrl: `https://hoadon.example.vn/c/${TOKEN}` },
  ],
  [
    {
      ...published,
      eventId: "e-1:2",
      type: "ClaimExpired",
      payload: { claimToken: TOKEN, issuedToAnonymousBuyer: true },
    },
    { invoiceId: null },
  ],
  [
    {
      ...published,
      eventId: "e-1:3",
      type: "ClaimResolved",
      payload: { claimToken: TOKEN, reason: "refunded" },
    },
    { invoiceId: null },
  ],
  [
    {
      ...published,
      eventId: "e-1:4",
      type: "InvoiceIssued",
      payload: {
        invoiceSeq: 1,
        role: "original",
        transactionUuid: KEY,
        invoiceNo: "123",
        invoiceDate: "2026-03-15",
        buyerKind: "anonymous",
      },
    },
    issuedContext,
  ],
  [
    {
      ...published,
      eventId: "e-1:5",
      type: "InvoiceFailed",
      payload: {
        invoiceSeq: 2,
        role: "replacement",
        transactionUuid: KEY,
        errorCode: "RETRIES_EXHAUSTED",
        errorMessage: "5 calls",
        attempts: 5,
      },
    },
    { invoiceId: "2" },
  ],
  [
    {
      ...published,
      eventId: "e-1:6",
      type: "IssuanceCancelled",
      payload: { invoiceSeq: 1, transactionUuid: KEY, reason: "REFUNDED_BEFORE_ISSUANCE" },
    },
    { invoiceId: "1" },
  ],
  [
    {
      ...published,
      eventId: "e-1:7",
      type: "CorrectionStarted",
      payload: { invoiceSeq: 3, role: "adjustment", relatesToSeq: 1, transactionUuid: KEY, reason: "refund" },
    },
    { invoiceId: "3" },
  ],
  [
    {
      ...published,
      eventId: "e-1:8",
      type: "ReviewRequired",
      payload: { code: "LATE_BUYER_CHANGE", message: "buyer asked late", requestEventId: "e-7" },
    },
    { invoiceId: null },
  ],
  [
    {
      ...published,
      eventId: "e-1:9",
      type: "ReviewRequired",
      payload: { code: "SEND_OUTCOME_UNKNOWN", message: "look it up" },
    },
    { invoiceId: null },
  ],
];
