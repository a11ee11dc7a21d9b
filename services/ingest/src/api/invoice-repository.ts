/**
 * The merchant API's reads of the issuer's tables (Invoice, InvoiceIssuance, InvoiceAuditTracing), as
 * prisma/schema.prisma has them. Every query is scoped by merchant in its WHERE clause (merchant-scope.ts);
 * nothing is fetched and filtered afterwards. Column changes by the issuer are local to this file.
 */
import { InvoiceStatus, type PrismaClient } from "@invoice/db";
import type { MerchantScope } from "./merchant-scope.ts";
import { afterCursor } from "./schemas.ts";

type InvoiceReads = Pick<PrismaClient, "invoice">;

/** The issuer's invoice statuses, as the database enum has them. */
export const INVOICE_STATUSES = Object.values(InvoiceStatus) as [InvoiceStatus, ...InvoiceStatus[]];
export type InvoiceStatusName = (typeof INVOICE_STATUSES)[number];

export interface InvoiceFilter {
  statuses?: readonly InvoiceStatusName[];
  /** createdAt >= from (inclusive), < to (exclusive). */
  from?: Date;
  to?: Date;
  orderId?: string;
  /** Continue after this (createdAt, id), in the list's order: newest first, id breaking ties. */
  after?: { createdAt: Date; id: bigint };
  limit: number;
}

const listSelect = {
  id: true,
  orderId: true,
  kind: true,
  status: true,
  buyerNotGetInvoice: true,
  buyerKind: true,
  buyerName: true,
  buyerTaxCode: true,
  invoiceType: true,
  templateCode: true,
  invoiceSeries: true,
  provider: true,
  providerInvoiceNo: true,
  invoiceDate: true,
  totalAmountWithoutTax: true,
  totalTaxAmount: true,
  totalAmountWithTax: true,
  issuedAt: true,
  failureReason: true,
  createdAt: true,
  updatedAt: true,
} as const;

export async function listInvoices(db: InvoiceReads, scope: MerchantScope, filter: InvoiceFilter) {
  const { after } = filter;
  return db.invoice.findMany({
    where: {
      merchantId: scope.merchantId,
      deletedAt: null,
      ...(filter.statuses?.length ? { status: { in: [...filter.statuses] } } : {}),
      ...(filter.orderId ? { orderId: filter.orderId } : {}),
      ...(filter.from || filter.to
        ? {
            createdAt: {
              ...(filter.from ? { gte: filter.from } : {}),
              ...(filter.to ? { lt: filter.to } : {}),
            },
          }
        : {}),
      ...afterCursor(after),
    },
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    take: filter.limit,
    select: listSelect,
  });
}

export type InvoiceRow = Awaited<ReturnType<typeof listInvoices>>[number];

/** One invoice with its provider attempts and audit trail, or null (also for another merchant's). */
export async function findInvoice(db: InvoiceReads, scope: MerchantScope, id: bigint) {
  return db.invoice.findFirst({
    where: { id, merchantId: scope.merchantId, deletedAt: null },
    select: {
      ...listSelect,
      buyerPersonalId: true,
      buyerAddress: true,
      buyerEmail: true,
      issuances: {
        orderBy: { attempt: "asc" },
        select: {
          attempt: true,
          operation: true,
          provider: true,
          outcome: true,
          httpStatus: true,
          errorClass: true,
          errorMessage: true,
          latencyMs: true,
          startedAt: true,
          finishedAt: true,
        },
      },
      auditTrail: {
        orderBy: [{ createdAt: "asc" }, { id: "asc" }],
        select: {
          eventType: true,
          eventId: true,
          outcome: true,
          fromStatus: true,
          toStatus: true,
          actor: true,
          correlationId: true,
          createdAt: true,
        },
      },
    },
  });
}

export type InvoiceDetailRow = NonNullable<Awaited<ReturnType<typeof findInvoice>>>;
