/**
 * The decision's DB effects besides state and invoices: its InvoiceAuditTracing rows (RecordAudit),
 * and Claim rows (OpenClaim inserts, CloseClaim closes; services/claims/README.md "What the issuer
 * writes", ADR 0014). Both are written inside the transaction of the decision's group.
 */
import type { InvoiceStatus, Prisma } from "@invoice/db";
import type { Decision, Effect, IssuanceEvent } from "@invoice/domain";
import type { IdGenerator } from "@invoice/ids";
import type { InvoiceRowView } from "./invoice-rows.ts";

type Tx = Prisma.TransactionClient;

const INTERNAL = new Set(["SendResult", "WakeUp", "SendRetriesExhausted"]);
const CLOSE_REASON = {
  submitted: "SUBMITTED",
  requested: "REQUESTED",
  expired: "EXPIRED",
  refunded: "REFUNDED",
} as const;

/**
 * At most `max` UTF-16 units, never half of a surrogate pair: the rows travel as JSON to jsonb
 * (bulk-insert.ts), which refuses an unpaired surrogate, failing the event (22P02).
 */
function cut(text: string, max: number): string {
  if (text.length <= max) return text;
  const last = text.charCodeAt(max - 1);
  return text.slice(0, last >= 0xd800 && last <= 0xdbff ? max - 1 : max);
}

/** The decision's InvoiceAuditTracing rows (written with the group's other rows by the store). */
export function auditRows(
  ids: IdGenerator,
  event: IssuanceEvent,
  decision: Decision,
  invoices: Map<number, InvoiceRowView>,
): Prisma.InvoiceAuditTracingCreateManyInput[] {
  const audits = decision.effects.filter(
    (e): e is Extract<Effect, { type: "RecordAudit" }> => e.type === "RecordAudit",
  );
  const head = invoices.get(Math.max(0, ...invoices.keys()));
  return audits.map(({ audit }) => ({
    id: ids.next(),
    invoiceId: head?.id ?? null,
    merchantId: event.merchantId,
    orderId: event.orderId,
    eventType: audit.eventType,
    eventId: cut(audit.eventId, 128),
    outcome: audit.outcome.toUpperCase(),
    fromStatus: (audit.before ?? null) as InvoiceStatus | null,
    toStatus: (audit.after ?? null) as InvoiceStatus | null,
    before: audit.before === null ? undefined : { status: audit.before },
    after: { status: audit.after, ...(audit.note ? { note: audit.note } : {}) },
    actor: INTERNAL.has(event.type) ? "issuer" : cut(audit.actor, 128),
    correlationId: cut(audit.correlationId, 128),
  }));
}

/**
 * The decision's Claim statements. `created`: the invoices this decision created; the claim is linked
 * to the original invoice when that one is created or the claim changes (the link is set once).
 */
export async function writeClaims(
  tx: Tx,
  ids: IdGenerator,
  decision: Decision,
  invoices: Map<number, InvoiceRowView>,
  created: ReadonlySet<number>,
): Promise<void> {
  const state = decision.next;
  for (const effect of decision.effects) {
    if (effect.type === "OpenClaim" && state?.payment) {
      // A replayed OpenClaim hits the partial unique indexes on open claims: already done.
      await tx.$executeRaw`
        INSERT INTO "Claim" ("id", "merchantId", "orderId", "token", "status", "claimDeadline",
                             "orderAmountVnd", "orderPaidAt", "createdAt", "updatedAt")
        VALUES (${ids.next()}, ${state.merchantId}, ${state.orderId}, ${effect.claimToken}::uuid, 'OPEN',
                ${new Date(effect.deadline)}, ${BigInt(state.payment.amountVnd)},
                ${new Date(state.payment.paidAt)}, now(), now())
        ON CONFLICT DO NOTHING`;
    } else if (effect.type === "CloseClaim") {
      await tx.$executeRaw`
        UPDATE "Claim"
           SET "closedReason" = ${CLOSE_REASON[effect.reason]}::"ClaimCloseReason", "closedAt" = now(),
               "status" = CASE WHEN "status" = 'OPEN' THEN 'CANCELLED'::"ClaimStatus" ELSE "status" END,
               "updatedAt" = now()
         WHERE "token" = ${effect.claimToken}::uuid AND "closedReason" IS NULL`;
    }
  }
  const claimToken = state?.claim?.token;
  const original = invoices.get(1);
  const claimChanged = decision.effects.some((e) => e.type === "OpenClaim" || e.type === "CloseClaim");
  if (claimToken && original && (created.has(1) || claimChanged)) {
    await tx.$executeRaw`
      UPDATE "Claim" SET "invoiceId" = ${original.id}, "updatedAt" = now()
       WHERE "token" = ${claimToken}::uuid AND "invoiceId" IS NULL`;
  }
}
