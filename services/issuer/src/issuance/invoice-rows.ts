/**
 * Invoice rows follow the order state: a row is created (with its seller and provider snapshot and
 * the totals of its document) the first time the state holds the invoice, and its status, number and
 * failure are updated from the state on every decision after that. The snapshot is never updated: a
 * resend builds its document from the row, whatever the merchant's settings are now.
 *
 * Planning is pure (`planInvoiceRows`: the rows an order has → what to create and update), so the
 * decision store can plan the decisions of a whole group of orders and write them with a few
 * statements (`writeInvoiceRows`: one insert, one update, one insert of attempts).
 */
import type { BuyerKind, InvoiceStatus, Prisma } from "@invoice/db";
import type { InvoiceRecord, OrderState, SellerSnapshot } from "@invoice/domain";
import type { IdGenerator } from "@invoice/ids";
import { bulkInsert, type ColumnTypes } from "./bulk-insert.ts";
import type { AttemptLog } from "./decision-store.ts";
import { buildDocumentFor } from "./invoice-document.ts";
import { type MerchantProfileView, type ProviderSnapshot, seriesFor } from "./merchant-profile.ts";

export interface InvoiceRowView {
  id: bigint;
  seq: number;
  transactionUuid: string;
  seller: SellerSnapshot;
  provider: ProviderSnapshot;
  series: string;
  totalPayableVnd: number;
  lookupCode: string | null;
}

type Tx = Prisma.TransactionClient;
type StoredInvoice = Awaited<ReturnType<Tx["invoice"]["findMany"]>>[number];

/** Every column an update may change, with its value after the update. */
interface InvoiceUpdate {
  id: bigint;
  status: InvoiceStatus;
  buyer: BuyerColumns;
  providerInvoiceNo: string | null;
  issuedAt: Date | null;
  failureReason: string | null;
  invoiceDate: Date | null;
  invoiceSeries: string;
}

/** What one decision does to its order's invoice rows. */
export interface InvoicePlan {
  views: Map<number, InvoiceRowView>;
  creates: Prisma.InvoiceCreateManyInput[];
  updates: InvoiceUpdate[];
  attempts: Prisma.InvoiceIssuanceCreateManyInput[];
  /** Sequence numbers of the invoices this decision creates. */
  created: Set<number>;
}

const KIND = { original: "ORIGINAL", adjustment: "ADJUSTMENT", replacement: "REPLACEMENT" } as const;

function statusOf(invoice: InvoiceRecord): InvoiceStatus {
  switch (invoice.status) {
    case "issuing":
      return "ISSUING";
    case "issued":
      return invoice.supersededBySeq !== undefined ? "REPLACED" : "ISSUED";
    default:
      // failed, cancelled (refunded before issuance), abandoned: none of them stands.
      return "FAILED";
  }
}

const failureOf = (invoice: InvoiceRecord) =>
  invoice.failure
    ? `${invoice.failure.code}: ${invoice.failure.message}`
    : invoice.status === "issuing"
      ? null
      : undefined;

/** The invoice rows of many orders in one query, grouped by `merchantId` + NUL + `orderId`. */
export async function loadInvoiceRows(
  tx: Tx,
  keys: ReadonlyArray<{ merchantId: string; orderId: string }>,
): Promise<Map<string, StoredInvoice[]>> {
  const byOrder = new Map<string, StoredInvoice[]>();
  if (keys.length === 0) return byOrder;
  const rows = await tx.$queryRawUnsafe<StoredInvoice[]>(
    `SELECT inv.* FROM "Invoice" AS inv
       JOIN jsonb_to_recordset($1::jsonb) AS k("merchantId" text, "orderId" text)
         ON inv."merchantId" = k."merchantId" AND inv."orderId" = k."orderId"`,
    JSON.stringify(keys.map((key) => ({ merchantId: key.merchantId, orderId: key.orderId }))),
  );
  for (const row of rows) {
    const key = orderKey(row);
    const list = byOrder.get(key) ?? [];
    list.push(row);
    byOrder.set(key, list);
  }
  return byOrder;
}

export const orderKey = (key: { merchantId: string; orderId: string }) =>
  `${key.merchantId}\u0000${key.orderId}`;

/** What `state` asks of the order's rows (`rows`, as loaded), and the attempts to log. */
export function planInvoiceRows(
  rows: readonly StoredInvoice[],
  ids: IdGenerator,
  input: { state: OrderState | undefined; profile: MerchantProfileView; attempts: AttemptLog[]; now: number },
): InvoicePlan {
  const plan: InvoicePlan = { views: new Map(), creates: [], updates: [], attempts: [], created: new Set() };
  const { state, profile } = input;
  if (!state || state.invoices.length === 0) return plan;
  const byKey = new Map(rows.map((row) => [row.transactionUuid, row]));
  for (const invoice of state.invoices) {
    const row = byKey.get(invoice.transactionUuid);
    const view = row
      ? planUpdate(plan, row, invoice, input.now)
      : planCreate(plan, ids, state, invoice, profile, input.now);
    if (view) plan.views.set(invoice.seq, view);
  }
  plan.attempts = attemptRows(ids, input.attempts, plan.views);
  return plan;
}

function planCreate(
  plan: InvoicePlan,
  ids: IdGenerator,
  state: OrderState,
  invoice: InvoiceRecord,
  profile: MerchantProfileView,
  now: number,
): InvoiceRowView | undefined {
  if (!profile.seller || !profile.provider) return undefined;
  const built = buildDocumentFor(state, invoice, profile.seller, profile.provider);
  if (!built.ok) return undefined; // the send reports it rejected: the invoice FAILS with the reason
  // Amounts are stored as magnitudes (a CHECK keeps them >= 0); a decrease adjustment is one by its
  // kind and document, and is published with its signed total.
  const totals = built.document.totals;
  const related = invoice.relatesToSeq ? plan.views.get(invoice.relatesToSeq) : undefined;
  const id = ids.next();
  const series = seriesFor(profile.provider, invoice.invoiceDate);
  const totalAmountWithTax = BigInt(Math.abs(totals.totalPayableVnd));
  plan.creates.push({
    id,
    merchantId: state.merchantId,
    orderId: state.orderId,
    kind: KIND[invoice.role],
    relatedInvoiceId: related?.id ?? null,
    status: statusOf(invoice),
    ...buyerColumns(invoice),
    sellerTaxCode: profile.seller.taxCode,
    sellerSnapshot: profile.seller as unknown as Prisma.InputJsonValue,
    provider: profile.provider.provider,
    providerConfigSnapshot: profile.provider as unknown as Prisma.InputJsonValue,
    invoiceType: "1",
    templateCode: profile.provider.templateCode,
    invoiceSeries: series,
    invoiceDate: localMidnight(invoice.invoiceDate),
    totalAmountWithoutTax: BigInt(Math.abs(totals.totalBeforeVatVnd)),
    totalDiscountAmount: BigInt(Math.abs(totals.totalDiscountVnd)),
    totalTaxAmount: BigInt(Math.abs(totals.totalVatVnd)),
    totalAmountWithTax,
    transactionUuid: invoice.transactionUuid,
    providerInvoiceNo: invoice.invoiceNo ?? null,
    issuedAt: invoice.status === "issued" ? new Date(now) : null,
    failureReason: failureOf(invoice) ?? null,
    updatedAt: new Date(now),
  });
  plan.created.add(invoice.seq);
  return {
    id,
    seq: invoice.seq,
    transactionUuid: invoice.transactionUuid,
    seller: profile.seller,
    provider: profile.provider,
    series,
    totalPayableVnd: signedTotal(invoice, Number(totalAmountWithTax)),
    lookupCode: null,
  };
}

function planUpdate(
  plan: InvoicePlan,
  row: StoredInvoice,
  invoice: InvoiceRecord,
  now: number,
): InvoiceRowView {
  const status = statusOf(invoice);
  // Until it is issued, the row's date and series follow the state: a send re-dated to the day it
  // goes out (ADR 0020) may move it into another day, or another year's series.
  const open = row.status !== "ISSUED" && row.status !== "REPLACED";
  const provider = row.providerConfigSnapshot as unknown as ProviderSnapshot;
  const invoiceDate = open ? localMidnight(invoice.invoiceDate) : row.invoiceDate;
  const invoiceSeries = open ? seriesFor(provider, invoice.invoiceDate) : row.invoiceSeries;
  if (
    row.status !== status ||
    (invoice.invoiceNo && row.providerInvoiceNo !== invoice.invoiceNo) ||
    buyerChanged(row, invoice) ||
    invoiceDate?.getTime() !== row.invoiceDate?.getTime() ||
    invoiceSeries !== row.invoiceSeries
  ) {
    // The buyer follows the state while the invoice is not issued (a retarget before any send
    // that could have created it); the snapshot of seller and provider never changes.
    const failureReason = failureOf(invoice);
    plan.updates.push({
      id: row.id,
      status,
      buyer: open
        ? buyerColumns(invoice)
        : {
            buyerNotGetInvoice: row.buyerNotGetInvoice,
            buyerKind: row.buyerKind,
            buyerName: row.buyerName,
            buyerTaxCode: row.buyerTaxCode,
            buyerAddress: row.buyerAddress,
            buyerEmail: row.buyerEmail,
          },
      providerInvoiceNo: invoice.invoiceNo ?? row.providerInvoiceNo,
      issuedAt: invoice.status === "issued" && !row.issuedAt ? new Date(now) : row.issuedAt,
      failureReason: failureReason !== undefined ? failureReason : row.failureReason,
      invoiceDate,
      invoiceSeries,
    });
  }
  return {
    id: row.id,
    seq: invoice.seq,
    transactionUuid: row.transactionUuid,
    seller: row.sellerSnapshot as unknown as SellerSnapshot,
    provider,
    series: invoiceSeries,
    totalPayableVnd: signedTotal(invoice, Number(row.totalAmountWithTax)),
    lookupCode: row.providerReservationCode,
  };
}

function attemptRows(
  ids: IdGenerator,
  attempts: AttemptLog[],
  views: Map<number, InvoiceRowView>,
): Prisma.InvoiceIssuanceCreateManyInput[] {
  const byKey = new Map([...views.values()].map((view) => [view.transactionUuid, view]));
  return attempts.flatMap((log) => {
    const view = byKey.get(log.transactionUuid);
    if (!view) return [];
    return [
      {
        id: ids.next(),
        invoiceId: view.id,
        attempt: log.attempt,
        operation: log.operation,
        provider: log.provider,
        idempotencyKey: log.transactionUuid,
        requestPayload: { attemptId: log.attemptId, body: log.exchange?.requestBody ?? null },
        ...(log.exchange?.responseBody ? { responsePayload: { body: log.exchange.responseBody } } : {}),
        httpStatus: log.exchange?.httpStatus ?? null,
        outcome: log.outcome,
        errorClass: log.errorClass ?? null,
        errorMessage: log.errorMessage ?? null,
        latencyMs: log.exchange?.latencyMs ?? log.finishedAt - log.startedAt,
        startedAt: new Date(log.startedAt),
        finishedAt: new Date(log.finishedAt),
      },
    ];
  });
}

// One UPDATE for all planned updates: every column set to its value after the update (computed from
// the row as loaded in this transaction), the version bumped.
const UPDATE_SQL = `
UPDATE "Invoice" AS inv
   SET "status" = u."status"::"InvoiceStatus", "version" = inv."version" + 1,
       "buyerNotGetInvoice" = u."buyerNotGetInvoice", "buyerKind" = u."buyerKind"::"BuyerKind",
       "buyerName" = u."buyerName", "buyerTaxCode" = u."buyerTaxCode", "buyerAddress" = u."buyerAddress",
       "buyerEmail" = u."buyerEmail", "providerInvoiceNo" = u."providerInvoiceNo",
       "issuedAt" = u."issuedAt", "failureReason" = u."failureReason", "invoiceDate" = u."invoiceDate",
       "invoiceSeries" = u."invoiceSeries", "updatedAt" = CURRENT_TIMESTAMP
  FROM jsonb_to_recordset($1::jsonb) AS u(
         "id" bigint, "status" text, "buyerNotGetInvoice" boolean, "buyerKind" text, "buyerName" text,
         "buyerTaxCode" text, "buyerAddress" text, "buyerEmail" text, "providerInvoiceNo" text,
         "issuedAt" timestamptz, "failureReason" text, "invoiceDate" timestamptz, "invoiceSeries" text)
 WHERE inv."id" = u."id"`;

const INVOICE_COLUMNS: ColumnTypes = {
  id: "bigint",
  merchantId: "text",
  orderId: "text",
  kind: '"InvoiceKind"',
  relatedInvoiceId: "bigint",
  status: '"InvoiceStatus"',
  buyerNotGetInvoice: "boolean",
  buyerKind: '"BuyerKind"',
  buyerName: "text",
  buyerTaxCode: "text",
  buyerAddress: "text",
  buyerEmail: "text",
  sellerTaxCode: "text",
  sellerSnapshot: "jsonb",
  provider: "text",
  providerConfigSnapshot: "jsonb",
  invoiceType: "text",
  templateCode: "text",
  invoiceSeries: "text",
  invoiceDate: "timestamptz",
  totalAmountWithoutTax: "bigint",
  totalDiscountAmount: "bigint",
  totalTaxAmount: "bigint",
  totalAmountWithTax: "bigint",
  transactionUuid: "uuid",
  providerInvoiceNo: "text",
  issuedAt: "timestamptz",
  failureReason: "text",
  updatedAt: "timestamptz",
};

const ISSUANCE_COLUMNS: ColumnTypes = {
  id: "bigint",
  invoiceId: "bigint",
  attempt: "int",
  operation: '"IssuanceOperation"',
  provider: "text",
  idempotencyKey: "uuid",
  requestPayload: "jsonb",
  responsePayload: "jsonb",
  httpStatus: "int",
  outcome: '"IssuanceOutcome"',
  errorClass: "text",
  errorMessage: "text",
  latencyMs: "int",
  startedAt: "timestamptz",
  finishedAt: "timestamptz",
};

/** Writes the plans of a group of decisions: creates, then updates, then the attempt log. */
export async function writeInvoiceRows(tx: Tx, plans: readonly InvoicePlan[]): Promise<void> {
  const creates = plans.flatMap((plan) => plan.creates);
  const updates = plans.flatMap((plan) => plan.updates);
  const attempts = plans.flatMap((plan) => plan.attempts);
  await bulkInsert(tx, "Invoice", INVOICE_COLUMNS, creates);
  if (updates.length > 0) {
    const rows = updates.map((u) => ({
      id: u.id.toString(),
      status: u.status,
      ...u.buyer,
      providerInvoiceNo: u.providerInvoiceNo,
      issuedAt: u.issuedAt?.toISOString() ?? null,
      failureReason: u.failureReason,
      invoiceDate: u.invoiceDate?.toISOString() ?? null,
      invoiceSeries: u.invoiceSeries,
    }));
    await tx.$executeRawUnsafe(UPDATE_SQL, JSON.stringify(rows));
  }
  await bulkInsert(tx, "InvoiceIssuance", ISSUANCE_COLUMNS, attempts, { onConflictDoNothing: true });
}

/** A Vietnam date (YYYY-MM-DD) as the instant its day starts there (UTC+7, no daylight saving). */
const localMidnight = (date: string) => new Date(`${date}T00:00:00+07:00`);

const signedTotal = (invoice: InvoiceRecord, magnitude: number) =>
  invoice.role === "adjustment" && invoice.reason?.kind === "refund" ? -magnitude : magnitude;

interface BuyerColumns {
  buyerNotGetInvoice: boolean;
  buyerKind: BuyerKind | null;
  buyerName: string | null;
  buyerTaxCode: string | null;
  buyerAddress: string | null;
  buyerEmail: string | null;
}

function buyerColumns(invoice: InvoiceRecord): BuyerColumns {
  const buyer = invoice.buyer;
  if (buyer.kind === "anonymous") {
    return {
      buyerNotGetInvoice: true,
      buyerKind: null,
      buyerName: null,
      buyerTaxCode: null,
      buyerAddress: null,
      buyerEmail: null,
    };
  }
  return {
    buyerNotGetInvoice: false,
    buyerKind: buyer.kind === "company" ? "COMPANY" : "INDIVIDUAL",
    buyerName: buyer.name,
    buyerTaxCode: buyer.taxCode ?? null,
    buyerAddress: buyer.address ?? null,
    buyerEmail: buyer.email ?? null,
  };
}

function buyerChanged(
  row: { buyerName: string | null; buyerTaxCode: string | null; buyerNotGetInvoice: boolean },
  invoice: InvoiceRecord,
): boolean {
  const next = buyerColumns(invoice);
  return (
    row.buyerName !== next.buyerName ||
    row.buyerTaxCode !== next.buyerTaxCode ||
    row.buyerNotGetInvoice !== next.buyerNotGetInvoice
  );
}
