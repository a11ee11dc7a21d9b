/**
 * Invoice rows follow the order state: a row is created (with its seller and provider snapshot and
 * the totals of its document) the first time the state holds the invoice, and its status, number and
 * failure are updated from the state on every decision after that. The snapshot is never updated: a
 * resend builds its document from the row, whatever the merchant's settings are now.
 */
import type { InvoiceStatus, Prisma } from "@invoice/db";
import type { InvoiceRecord, OrderState, SellerSnapshot } from "@invoice/domain";
import type { IdGenerator } from "@invoice/ids";
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

export async function syncInvoiceRows(
  tx: Tx,
  ids: IdGenerator,
  input: { state: OrderState | undefined; profile: MerchantProfileView; attempts: AttemptLog[]; now: number },
): Promise<Map<number, InvoiceRowView>> {
  const views = new Map<number, InvoiceRowView>();
  const { state, profile } = input;
  if (!state || state.invoices.length === 0) return views;
  const rows = await tx.invoice.findMany({
    where: { merchantId: state.merchantId, orderId: state.orderId },
  });
  const byKey = new Map(rows.map((row) => [row.transactionUuid, row]));
  for (const invoice of state.invoices) {
    let row = byKey.get(invoice.transactionUuid);
    const status = statusOf(invoice);
    if (!row) {
      if (!profile.seller || !profile.provider) continue;
      const built = buildDocumentFor(state, invoice, profile.seller, profile.provider);
      if (!built.ok) continue; // the send reports it rejected: the invoice FAILS with the reason
      // Amounts are stored as magnitudes (a CHECK keeps them >= 0); a decrease adjustment is one by its
      // kind and document, and is published with its signed total.
      const totals = built.document.totals;
      const related = invoice.relatesToSeq ? views.get(invoice.relatesToSeq) : undefined;
      row = await tx.invoice.create({
        data: {
          id: ids.next(),
          merchantId: state.merchantId,
          orderId: state.orderId,
          kind: KIND[invoice.role],
          relatedInvoiceId: related?.id ?? null,
          status,
          ...buyerColumns(invoice),
          sellerTaxCode: profile.seller.taxCode,
          sellerSnapshot: profile.seller as unknown as Prisma.InputJsonValue,
          provider: profile.provider.provider,
          providerConfigSnapshot: profile.provider as unknown as Prisma.InputJsonValue,
          invoiceType: "1",
          templateCode: profile.provider.templateCode,
          invoiceSeries: seriesFor(profile.provider, invoice.invoiceDate),
          invoiceDate: new Date(`${invoice.invoiceDate}T00:00:00+07:00`),
          totalAmountWithoutTax: BigInt(Math.abs(totals.totalBeforeVatVnd)),
          totalDiscountAmount: BigInt(Math.abs(totals.totalDiscountVnd)),
          totalTaxAmount: BigInt(Math.abs(totals.totalVatVnd)),
          totalAmountWithTax: BigInt(Math.abs(totals.totalPayableVnd)),
          transactionUuid: invoice.transactionUuid,
          providerInvoiceNo: invoice.invoiceNo ?? null,
          issuedAt: invoice.status === "issued" ? new Date(input.now) : null,
          failureReason: failureOf(invoice) ?? null,
        },
      });
    } else if (
      row.status !== status ||
      (invoice.invoiceNo && row.providerInvoiceNo !== invoice.invoiceNo) ||
      buyerChanged(row, invoice)
    ) {
      // The buyer follows the state while the invoice is not issued (a retarget before any send
      // that could have created it); the snapshot of seller and provider never changes.
      const failureReason = failureOf(invoice);
      row = await tx.invoice.update({
        where: { id: row.id },
        data: {
          status,
          version: { increment: 1 },
          ...(row.status !== "ISSUED" ? buyerColumns(invoice) : {}),
          ...(invoice.invoiceNo ? { providerInvoiceNo: invoice.invoiceNo } : {}),
          ...(invoice.status === "issued" && !row.issuedAt ? { issuedAt: new Date(input.now) } : {}),
          ...(failureReason !== undefined ? { failureReason } : {}),
        },
      });
    }
    views.set(invoice.seq, {
      id: row.id,
      seq: invoice.seq,
      transactionUuid: row.transactionUuid,
      seller: row.sellerSnapshot as unknown as SellerSnapshot,
      provider: row.providerConfigSnapshot as unknown as ProviderSnapshot,
      series: row.invoiceSeries,
      totalPayableVnd: signedTotal(invoice, Number(row.totalAmountWithTax)),
      lookupCode: row.providerReservationCode,
    });
  }
  await writeAttempts(tx, ids, input.attempts, views);
  return views;
}

async function writeAttempts(
  tx: Tx,
  ids: IdGenerator,
  attempts: AttemptLog[],
  views: Map<number, InvoiceRowView>,
): Promise<void> {
  const byKey = new Map([...views.values()].map((view) => [view.transactionUuid, view]));
  const data = attempts.flatMap((log) => {
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
  if (data.length > 0) await tx.invoiceIssuance.createMany({ data, skipDuplicates: true });
}

const signedTotal = (invoice: InvoiceRecord, magnitude: number) =>
  invoice.role === "adjustment" && invoice.reason?.kind === "refund" ? -magnitude : magnitude;

function buyerColumns(invoice: InvoiceRecord) {
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
    buyerKind: buyer.kind === "company" ? ("COMPANY" as const) : ("INDIVIDUAL" as const),
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
