import type { PrismaClient } from "@invoice/db";
import { redactValue } from "@invoice/observability";
import { UsageError } from "../shared/cli-env.ts";

/** What `ops show` prints: one order's whole story. Dates as ISO strings, ids as decimal strings. */
export interface OrderView {
  merchantId: string;
  orderId: string;
  state: { status: string; version: number; updatedAt: string; document: unknown } | null;
  invoices: Array<{
    id: string;
    status: string;
    invoiceSeries: string;
    providerInvoiceNo: string | null;
    transactionUuid: string;
    failureReason: string | null;
    issuedAt: string | null;
  }>;
  attempts: Array<{
    invoiceId: string;
    attempt: number;
    operation: string;
    outcome: string;
    httpStatus: number | null;
    latencyMs: number | null;
    errorClass: string | null;
    errorMessage: string | null;
    startedAt: string;
    requestPayload: unknown;
    responsePayload: unknown;
  }>;
  audit: Array<{
    createdAt: string;
    eventType: string;
    eventId: string | null;
    outcome: string;
    fromStatus: string | null;
    toStatus: string | null;
    actor: string;
  }>;
  /** The latest claim; its token is shown cut (a live token lets anyone claim the invoice). */
  claim: { status: string; token: string; claimDeadline: string; closedReason: string | null } | null;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Finds the order by orderId (optionally of one merchant), else by what an operator may have in hand
 * instead (the "sourceId"): an invoice id, the provider idempotency key (transactionUuid) or the
 * provider's transaction id. Undefined when nothing matches.
 */
export async function findOrder(
  prisma: PrismaClient,
  id: string,
  merchantId?: string,
): Promise<OrderView | undefined> {
  const key = await resolveOrderKey(prisma, id, merchantId);
  if (!key) return undefined;
  const where = { merchantId: key.merchantId, orderId: key.orderId };
  const [state, invoices, audit, claim] = await Promise.all([
    prisma.orderState.findUnique({ where: { merchantId_orderId: where } }),
    prisma.invoice.findMany({ where, orderBy: { createdAt: "asc" } }),
    prisma.invoiceAuditTracing.findMany({ where, orderBy: { createdAt: "asc" }, take: 500 }),
    prisma.claim.findFirst({ where, orderBy: { createdAt: "desc" } }),
  ]);
  const attempts = invoices.length
    ? await prisma.invoiceIssuance.findMany({
        where: { invoiceId: { in: invoices.map((i) => i.id) } },
        orderBy: [{ invoiceId: "asc" }, { attempt: "asc" }],
      })
    : [];
  return {
    ...key,
    state: state
      ? {
          status: state.status,
          version: state.version,
          updatedAt: state.updatedAt.toISOString(),
          document: redactValue(state.document),
        }
      : null,
    invoices: invoices.map((i) => ({
      id: i.id.toString(),
      status: i.status,
      invoiceSeries: i.invoiceSeries,
      providerInvoiceNo: i.providerInvoiceNo,
      transactionUuid: i.transactionUuid,
      failureReason: i.failureReason,
      issuedAt: i.issuedAt?.toISOString() ?? null,
    })),
    attempts: attempts.map((a) => ({
      invoiceId: a.invoiceId.toString(),
      attempt: a.attempt,
      operation: a.operation,
      outcome: a.outcome,
      httpStatus: a.httpStatus,
      latencyMs: a.latencyMs,
      errorClass: a.errorClass,
      errorMessage: a.errorMessage,
      startedAt: a.startedAt.toISOString(),
      // Stored redacted already; redacted again so a row written before a rule existed leaks nothing.
      requestPayload: redactValue(a.requestPayload),
      responsePayload: redactValue(a.responsePayload),
    })),
    audit: audit.map((a) => ({
      createdAt: a.createdAt.toISOString(),
      eventType: a.eventType,
      eventId: a.eventId,
      outcome: a.outcome,
      fromStatus: a.fromStatus,
      toStatus: a.toStatus,
      actor: a.actor,
    })),
    claim: claim
      ? {
          status: claim.status,
          token: `${claim.token.slice(0, 8)}…`,
          claimDeadline: claim.claimDeadline.toISOString(),
          closedReason: claim.closedReason,
        }
      : null,
  };
}

async function resolveOrderKey(
  prisma: PrismaClient,
  id: string,
  merchantId: string | undefined,
): Promise<{ merchantId: string; orderId: string } | undefined> {
  const byOrder = new Map<string, { merchantId: string; orderId: string }>();
  const add = (rows: Array<{ merchantId: string; orderId: string }>) => {
    for (const r of rows)
      byOrder.set(`${r.merchantId}\u0000${r.orderId}`, { merchantId: r.merchantId, orderId: r.orderId });
  };
  const scope = merchantId ? { merchantId } : {};
  add(
    await prisma.orderState.findMany({
      where: { orderId: id, ...scope },
      select: { merchantId: true, orderId: true },
      take: 10,
    }),
  );
  add(
    await prisma.invoice.findMany({
      where: { orderId: id, ...scope },
      select: { merchantId: true, orderId: true },
      take: 10,
    }),
  );
  if (byOrder.size === 0) {
    const or: object[] = [{ providerTransactionId: id }];
    if (/^\d{1,19}$/.test(id)) or.push({ id: BigInt(id) });
    if (UUID.test(id)) or.push({ transactionUuid: id });
    add(
      await prisma.invoice.findMany({
        where: { OR: or, ...scope },
        select: { merchantId: true, orderId: true },
        take: 10,
      }),
    );
  }
  if (byOrder.size > 1) {
    const merchants = [...byOrder.values()].map((k) => k.merchantId).join(", ");
    throw new UsageError(`${id} exists for several merchants (${merchants}): pass --merchant`);
  }
  return [...byOrder.values()][0];
}
