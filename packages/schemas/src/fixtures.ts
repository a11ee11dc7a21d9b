import type {
  CommerceInvoiceRequested,
  CommercePaymentRefunded,
  CommercePaymentSucceeded,
} from "./commerce-events.ts";
import type { InvoiceEvent } from "./invoice-event.ts";
import type { Buyer, IssuanceEvent } from "./issuance-event.ts";

/** One typed sample per event kind: tests use them to prove the TypeScript types match the .avsc. */
export const sampleBuyer: Buyer = {
  kind: "COMPANY",
  name: "Công ty TNHH Hóa Đơn Việt",
  taxCode: "0100109106",
  personalId: null,
  address: "Số 1 Tràng Tiền, Phường Hoàn Kiếm, Hà Nội",
  email: "ketoan@example.vn",
  phone: null,
};

const envelope = {
  orderId: "ORD-1",
  merchantId: "M-1",
  occurredAt: 1_764_000_000_000,
  source: "test",
  correlationId: null,
};

export const sampleIssuanceEvents: IssuanceEvent[] = [
  {
    ...envelope,
    eventId: "e-1",
    type: "PAYMENT_SUCCEEDED",
    payload: {
      paymentId: "P-1",
      amountVnd: 1_250_000,
      paidAt: 1_764_000_000_000,
      lines: [
        {
          sku: "SKU-1",
          name: "Cà phê sữa đá",
          unit: "ly",
          quantity: "2",
          unitPriceVnd: 625_000,
          discountVnd: 0,
          vatCategory: "10",
          reducedRateEligible: true,
        },
      ],
      buyer: null,
    },
  },
  {
    ...envelope,
    eventId: "e-2",
    type: "INVOICE_REQUESTED",
    payload: { buyer: sampleBuyer, requestedAt: 1, channel: "checkout" },
  },
  {
    ...envelope,
    eventId: "e-3",
    type: "CLAIM_SUBMITTED",
    payload: { claimToken: "5b0e4d1c-1f0a-4c49-9d53-0c7a7e1b3c11", buyer: sampleBuyer, submittedAt: 2 },
  },
  {
    ...envelope,
    eventId: "e-4",
    type: "CLAIM_EXPIRED",
    payload: { claimToken: "5b0e4d1c-1f0a-4c49-9d53-0c7a7e1b3c11", expiredAt: 3 },
  },
  {
    ...envelope,
    eventId: "e-5",
    type: "REPLAY_REQUESTED",
    payload: { reason: "provider outage", requestedBy: "ops" },
  },
  {
    ...envelope,
    eventId: "e-6",
    type: "PAYMENT_REFUNDED",
    payload: { refundId: "R-1", amountVnd: 1_250_000, full: true, refundedAt: 4 },
  },
  {
    ...envelope,
    eventId: "e-7",
    type: "PROVIDER_CALLBACK",
    payload: {
      transactionUuid: "a3c2d9e0-0000-4000-8000-000000000001",
      outcome: "ISSUED",
      invoiceNo: "0000123",
      errorCode: null,
      errorMessage: null,
      receivedAt: 5,
    },
  },
];

const invoiceEnvelope = {
  orderId: "ORD-1",
  merchantId: "M-1",
  invoiceId: "1234567890123456789",
  occurredAt: 1_764_000_000_000,
  causationEventId: "e-1",
};

export const sampleInvoiceEvents: InvoiceEvent[] = [
  {
    ...invoiceEnvelope,
    eventId: "i-1",
    type: "INVOICE_ISSUED",
    payload: {
      invoiceNo: "0000123",
      templateCode: "1",
      invoiceSeries: "C26TAA",
      invoiceDate: 20_400,
      totalPayableVnd: 1_350_000,
      buyerKind: "ANONYMOUS_RETAIL",
      provider: "simulator",
      lookupCode: null,
      invoiceSeq: 1,
      role: "ORIGINAL",
      transactionUuid: "a3c2d9e0-0000-4000-8000-000000000001",
    },
  },
  {
    ...invoiceEnvelope,
    eventId: "i-2",
    type: "INVOICE_FAILED",
    payload: {
      errorCode: "PROVIDER_VALIDATION",
      reason: "invalid tax code",
      attempts: 1,
      invoiceSeq: 1,
      role: "ORIGINAL",
      transactionUuid: null,
    },
  },
  {
    ...invoiceEnvelope,
    eventId: "i-3",
    type: "CLAIM_OPENED",
    payload: { claimToken: "t", claimDeadline: 9, claimUrl: "https://hoadon.example.vn/c/t" },
  },
  {
    ...invoiceEnvelope,
    eventId: "i-4",
    type: "CLAIM_EXPIRED",
    payload: { claimToken: "t", issuedToAnonymousBuyer: true },
  },
  {
    ...invoiceEnvelope,
    eventId: "i-5",
    type: "ISSUANCE_CANCELLED",
    payload: { reason: "refunded before issuance", invoiceSeq: 1, transactionUuid: null },
  },
  {
    ...invoiceEnvelope,
    eventId: "i-6",
    type: "ADJUSTMENT_REQUIRED",
    payload: {
      kind: "ADJUSTMENT",
      reason: "partial refund",
      automatic: false,
      invoiceSeq: 2,
      relatesToSeq: 1,
      transactionUuid: null,
    },
  },
  {
    ...invoiceEnvelope,
    eventId: "i-7",
    type: "LATE_BUYER_REQUEST_RECORDED",
    payload: { requestEventId: "e-9", reason: "buyer asked after issuance" },
  },
  {
    ...invoiceEnvelope,
    eventId: "i-8",
    type: "CLAIM_RESOLVED",
    payload: { claimToken: "t", reason: "SUBMITTED" },
  },
  {
    ...invoiceEnvelope,
    eventId: "i-9",
    type: "REVIEW_REQUIRED",
    payload: { code: "SEND_OUTCOME_UNKNOWN", message: "retries ran out" },
  },
];

export const sampleCommercePaymentSucceeded: CommercePaymentSucceeded = {
  eventId: "c-1",
  orderId: "ORD-1",
  merchantId: "M-1",
  paymentId: "P-1",
  amount: 1_350_000,
  currency: "VND",
  paidAt: 1_764_000_000_000,
  items: [
    {
      sku: "SKU-1",
      name: "Bánh mì",
      unit: null,
      quantity: "1.5",
      unitPrice: 900_000,
      discount: 0,
      vatRate: "10",
      reducedRateEligible: false,
    },
  ],
  invoiceRequest: {
    buyerType: "company",
    taxCode: "0100109106",
    companyName: "Công ty A",
    fullName: null,
    personalId: null,
    address: null,
    email: null,
    phone: null,
  },
};

export const sampleCommerceInvoiceRequested: CommerceInvoiceRequested = {
  eventId: "c-2",
  orderId: "ORD-1",
  merchantId: "M-1",
  requestedAt: 1_764_000_000_000,
  buyerType: "individual",
  taxCode: null,
  companyName: null,
  fullName: "Nguyễn Văn A",
  personalId: "001099012345",
  address: null,
  email: "a@example.vn",
  phone: null,
};

export const sampleCommercePaymentRefunded: CommercePaymentRefunded = {
  eventId: "c-3",
  orderId: "ORD-1",
  merchantId: "M-1",
  refundId: "R-1",
  amount: 1_350_000,
  full: true,
  refundedAt: 1_764_000_000_000,
};
