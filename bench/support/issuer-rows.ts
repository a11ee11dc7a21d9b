// The issuer's rows for one issued order (OrderState, Invoice, InvoiceIssuance, InvoiceAuditTracing), as
// the limits bench writes them batched and the naive baseline one order at a time.
import { randomUUID } from "node:crypto";
import type pg from "pg";

export type IssuerRows = ReturnType<typeof issuerRows>;

/** One issued order's rows, shaped like the issuer's (values realistic in size, not in meaning). */
export function issuerRows(
  runId: string,
  i: number,
  base: bigint,
  overrides: { merchantId?: string; orderId?: string; transactionUuid?: string; invoiceNo?: string } = {},
) {
  const merchantId = overrides.merchantId ?? `bench-${runId}`;
  const orderId = overrides.orderId ?? `o-${i}`;
  const invoiceId = (base + BigInt(i * 4)).toString();
  const transactionUuid = overrides.transactionUuid ?? randomUUID();
  const invoiceNo = overrides.invoiceNo ?? `C26TAA${i + 1}`;
  const now = new Date().toISOString();
  const lines = [{ sku: "SKU-1", name: "Cà phê sữa đá", quantity: "2", unitPriceVnd: 30_000, vat: "VAT8" }];
  const document = {
    status: "ISSUED",
    paid: { paymentId: `p-${i}`, amountVnd: 64_800, paidAt: Date.now(), lines },
    buyer: { kind: "anonymous" },
    attempts: [{ seq: 1, transactionUuid, outcome: "issued", invoiceNo: String(i + 1) }],
    seenEventIds: [`e-${i}`],
  };
  return {
    state: { merchantId, orderId, status: "ISSUED", document, version: 2 },
    invoice: {
      id: invoiceId,
      merchantId,
      orderId,
      sellerTaxCode: "0100109106",
      sellerSnapshot: {
        name: "Công ty TNHH Bench",
        taxCode: "0100109106",
        address: "Số 1 Tràng Tiền, Hà Nội",
      },
      providerConfigSnapshot: {
        templateCode: "1/001",
        invoiceSeries: "C26TAA",
        supplierTaxCode: "0100109106",
      },
      totalAmountWithoutTax: 60_000,
      totalTaxAmount: 4_800,
      totalAmountWithTax: 64_800,
      transactionUuid,
      providerInvoiceNo: invoiceNo,
      issuedAt: now,
    },
    issuance: {
      id: (base + BigInt(i * 4 + 1)).toString(),
      invoiceId,
      idempotencyKey: transactionUuid,
      requestPayload: { sha256: "0".repeat(64), body: "x".repeat(900) },
      responsePayload: { errorCode: null, result: { invoiceNo: invoiceNo, transactionID: `t-${i}` } },
      startedAt: now,
      finishedAt: now,
    },
    audit: {
      id: (base + BigInt(i * 4 + 2)).toString(),
      invoiceId,
      merchantId,
      orderId,
      eventId: `e-${i}`,
      after: { status: "ISSUED", invoiceNo: invoiceNo },
    },
  };
}

/** The rows of `rows` in one transaction: four multi-row INSERT ... SELECT FROM jsonb_to_recordset. */
export async function insertIssuerRows(client: pg.ClientBase, rows: IssuerRows[]): Promise<void> {
  await client.query("BEGIN");
  try {
    await client.query(
      `INSERT INTO "OrderState" ("merchantId", "orderId", "status", "document", "version", "updatedAt")
         SELECT x."merchantId", x."orderId", x."status"::"InvoiceStatus", x."document", x."version", now()
         FROM jsonb_to_recordset($1::jsonb) AS x("merchantId" text, "orderId" text, "status" text, "document" jsonb, "version" int)`,
      [JSON.stringify(rows.map((r) => r.state))],
    );
    await client.query(
      `INSERT INTO "Invoice" ("id", "merchantId", "orderId", "status", "version", "buyerNotGetInvoice", "sellerTaxCode",
           "sellerSnapshot", "provider", "providerConfigSnapshot", "invoiceType", "templateCode", "invoiceSeries",
           "invoiceDate", "totalAmountWithoutTax", "totalTaxAmount", "totalAmountWithTax", "transactionUuid",
           "providerInvoiceNo", "issuedAt", "updatedAt")
         SELECT x."id", x."merchantId", x."orderId", 'ISSUED', 1, true, x."sellerTaxCode", x."sellerSnapshot", 'sinvoice',
           x."providerConfigSnapshot", '1', '1/001', 'C26TAA', x."issuedAt", x."totalAmountWithoutTax", x."totalTaxAmount",
           x."totalAmountWithTax", x."transactionUuid"::uuid, x."providerInvoiceNo", x."issuedAt", now()
         FROM jsonb_to_recordset($1::jsonb) AS x("id" bigint, "merchantId" text, "orderId" text, "sellerTaxCode" text,
           "sellerSnapshot" jsonb, "providerConfigSnapshot" jsonb, "totalAmountWithoutTax" bigint, "totalTaxAmount" bigint,
           "totalAmountWithTax" bigint, "transactionUuid" text, "providerInvoiceNo" text, "issuedAt" timestamptz)`,
      [JSON.stringify(rows.map((r) => r.invoice))],
    );
    await client.query(
      `INSERT INTO "InvoiceIssuance" ("id", "invoiceId", "attempt", "operation", "provider", "idempotencyKey",
           "requestPayload", "responsePayload", "httpStatus", "outcome", "latencyMs", "startedAt", "finishedAt")
         SELECT x."id", x."invoiceId", 1, 'ISSUE', 'sinvoice', x."idempotencyKey"::uuid, x."requestPayload",
           x."responsePayload", 200, 'SUCCEEDED', 1, x."startedAt", x."finishedAt"
         FROM jsonb_to_recordset($1::jsonb) AS x("id" bigint, "invoiceId" bigint, "idempotencyKey" text,
           "requestPayload" jsonb, "responsePayload" jsonb, "startedAt" timestamptz, "finishedAt" timestamptz)`,
      [JSON.stringify(rows.map((r) => r.issuance))],
    );
    await client.query(
      `INSERT INTO "InvoiceAuditTracing" ("id", "invoiceId", "merchantId", "orderId", "eventType", "eventId",
           "outcome", "fromStatus", "toStatus", "after", "actor")
         SELECT x."id", x."invoiceId", x."merchantId", x."orderId", 'PaymentSucceeded', x."eventId", 'APPLIED',
           'ISSUING', 'ISSUED', x."after", 'issuer'
         FROM jsonb_to_recordset($1::jsonb) AS x("id" bigint, "invoiceId" bigint, "merchantId" text, "orderId" text,
           "eventId" text, "after" jsonb)`,
      [JSON.stringify(rows.map((r) => r.audit))],
    );
    await client.query("COMMIT");
  } catch (error) {
    await client.query("ROLLBACK").catch(() => undefined);
    throw error;
  }
}
