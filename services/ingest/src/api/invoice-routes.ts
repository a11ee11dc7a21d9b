import { randomUUID } from "node:crypto";
import { HttpProblem } from "@invoice/http";
import { z } from "zod";
import type { IssuancePublisher } from "../publishing/issuance-publisher.ts";
import { PublishUnavailableError } from "../publishing/issuance-publisher.ts";
import { derivedEventId } from "../shared/event-ids.ts";
import { externalId } from "../shared/input-schemas.ts";
import {
  findInvoice,
  INVOICE_STATUSES,
  type InvoiceDetailRow,
  type InvoiceRow,
  listInvoices,
} from "./invoice-repository.ts";
import { notFound } from "./merchant-scope.ts";
import { type RouteSpec, route } from "./route-spec.ts";
import { decodeCursor, encodeCursor, merchantPath, problemSchema } from "./schemas.ts";

export const PERMISSIONS = {
  invoicesRead: "invoices:read",
  invoicesReplay: "invoices:replay",
} as const;

const invoicePath = merchantPath.extend({
  invoiceId: z.string().meta({ description: "Invoice id (decimal)" }),
});

const buyerView = z.object({
  anonymous: z.boolean(),
  kind: z.enum(["COMPANY", "INDIVIDUAL", "UNKNOWN"]).nullable(),
  name: z.string().nullable(),
  taxCode: z.string().nullable(),
});

const invoiceView = z
  .object({
    id: z.string(),
    orderId: z.string(),
    kind: z.enum(["ORIGINAL", "REPLACEMENT", "ADJUSTMENT"]),
    status: z.enum(INVOICE_STATUSES),
    buyer: buyerView,
    invoiceType: z.string(),
    templateCode: z.string(),
    invoiceSeries: z.string(),
    provider: z.string(),
    providerInvoiceNo: z.string().nullable(),
    invoiceDate: z.string().nullable(),
    totals: z.object({ withoutTaxVnd: z.string(), taxVnd: z.string(), withTaxVnd: z.string() }),
    issuedAt: z.string().nullable(),
    failureReason: z.string().nullable(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .meta({ id: "Invoice" });

const invoiceDetailView = invoiceView
  .extend({
    issuanceAttempts: z.array(
      z.object({
        attempt: z.number().int(),
        operation: z.string(),
        provider: z.string(),
        outcome: z.string(),
        httpStatus: z.number().int().nullable(),
        errorClass: z.string().nullable(),
        errorMessage: z.string().nullable(),
        latencyMs: z.number().int().nullable(),
        startedAt: z.string(),
        finishedAt: z.string().nullable(),
      }),
    ),
    auditTrail: z.array(
      z.object({
        eventType: z.string(),
        eventId: z.string().nullable(),
        outcome: z.string(),
        fromStatus: z.string().nullable(),
        toStatus: z.string().nullable(),
        actor: z.string(),
        correlationId: z.string().nullable(),
        createdAt: z.string(),
      }),
    ),
  })
  .meta({ id: "InvoiceDetail" });

const iso = (d: Date | null) => (d ? d.toISOString() : null);

function toView(row: InvoiceRow): z.infer<typeof invoiceView> {
  return {
    id: row.id.toString(),
    orderId: row.orderId,
    kind: row.kind,
    status: row.status,
    buyer: {
      anonymous: row.buyerNotGetInvoice,
      kind: row.buyerKind,
      name: row.buyerName,
      taxCode: row.buyerTaxCode,
    },
    invoiceType: row.invoiceType,
    templateCode: row.templateCode,
    invoiceSeries: row.invoiceSeries,
    provider: row.provider,
    providerInvoiceNo: row.providerInvoiceNo,
    invoiceDate: iso(row.invoiceDate),
    totals: {
      withoutTaxVnd: row.totalAmountWithoutTax.toString(),
      taxVnd: row.totalTaxAmount.toString(),
      withTaxVnd: row.totalAmountWithTax.toString(),
    },
    issuedAt: iso(row.issuedAt),
    failureReason: row.failureReason,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

function toDetail(row: InvoiceDetailRow): z.infer<typeof invoiceDetailView> {
  return {
    ...toView(row),
    issuanceAttempts: row.issuances.map((a) => ({
      ...a,
      startedAt: a.startedAt.toISOString(),
      finishedAt: iso(a.finishedAt),
    })),
    auditTrail: row.auditTrail.map((a) => ({ ...a, createdAt: a.createdAt.toISOString() })),
  };
}

/** Invoice ids are Snowflake decimals; anything else names no invoice (404, like a missing one). */
function invoiceId(text: string): bigint {
  return /^\d{1,19}$/.test(text) ? BigInt(text) : -1n;
}

const listQuery = z.object({
  status: z
    .union([z.enum(INVOICE_STATUSES), z.array(z.enum(INVOICE_STATUSES))])
    .optional()
    .meta({ description: "One or several statuses (repeat the parameter)" }),
  from: z.iso.datetime({ offset: true }).optional().meta({ description: "createdAt at or after (RFC 3339)" }),
  to: z.iso.datetime({ offset: true }).optional().meta({ description: "createdAt before (RFC 3339)" }),
  orderId: externalId().optional(),
  cursor: z.string().max(200).optional().meta({ description: "nextCursor of the previous page" }),
  limit: z.coerce.number().int().min(1).max(100).default(20),
});

export function invoiceRoutes(deps: {
  prisma: Parameters<typeof listInvoices>[0];
  publisher: IssuancePublisher;
  retryAfterSeconds: number;
}): RouteSpec[] {
  return [
    route({
      id: "listInvoices",
      method: "get",
      path: "/merchants/:merchantId/invoices",
      summary: "List the merchant's invoices, newest first (cursor pagination)",
      permission: PERMISSIONS.invoicesRead,
      params: merchantPath,
      query: listQuery,
      responses: {
        200: {
          description: "A page of invoices",
          schema: z.object({ items: z.array(invoiceView), nextCursor: z.string().nullable() }),
        },
      },
      async handle({ scope, query }) {
        const after = query.cursor === undefined ? undefined : decodeCursor(query.cursor);
        const statuses = query.status === undefined ? undefined : [query.status].flat();
        const rows = await listInvoices(deps.prisma, scope, {
          ...(statuses ? { statuses } : {}),
          ...(query.from ? { from: new Date(query.from) } : {}),
          ...(query.to ? { to: new Date(query.to) } : {}),
          ...(query.orderId ? { orderId: query.orderId } : {}),
          ...(after ? { after } : {}),
          limit: query.limit + 1,
        });
        const page = rows.slice(0, query.limit);
        const last = page.at(-1);
        return {
          status: 200,
          body: {
            items: page.map(toView),
            nextCursor: rows.length > query.limit && last ? encodeCursor(last.createdAt, last.id) : null,
          },
        };
      },
    }),
    route({
      id: "getInvoice",
      method: "get",
      path: "/merchants/:merchantId/invoices/:invoiceId",
      summary: "One invoice with its issuance attempts and audit trail",
      permission: PERMISSIONS.invoicesRead,
      params: invoicePath,
      responses: {
        200: { description: "The invoice", schema: invoiceDetailView },
        404: { description: "No such invoice for this merchant", schema: problemSchema },
      },
      async handle({ scope, params }) {
        const row = await findInvoice(deps.prisma, scope, invoiceId(params.invoiceId));
        if (!row) throw notFound("invoice");
        return { status: 200, body: toDetail(row) };
      },
    }),
    route({
      id: "replayInvoice",
      method: "post",
      path: "/merchants/:merchantId/invoices/:invoiceId/replay",
      summary: "Ask the issuer to try a FAILED invoice again (publishes ReplayRequested)",
      permission: PERMISSIONS.invoicesReplay,
      params: invoicePath,
      body: z.object({ reason: z.string().trim().min(1).max(500) }).meta({ id: "ReplayRequest" }),
      idempotent: true,
      responses: {
        202: {
          description: "Replay requested",
          schema: z.object({ eventId: z.string(), orderId: z.string() }),
        },
        404: { description: "No such invoice for this merchant", schema: problemSchema },
        409: { description: "The invoice is not FAILED", schema: problemSchema },
        503: { description: "Kafka unavailable; retry", schema: problemSchema },
      },
      async handle({ scope, params, body, principal, req }) {
        const row = await findInvoice(deps.prisma, scope, invoiceId(params.invoiceId));
        if (!row) throw notFound("invoice");
        if (row.status !== "FAILED") {
          throw new HttpProblem({
            status: 409,
            code: "INVOICE_NOT_REPLAYABLE",
            detail: `Only a FAILED invoice can be replayed; this one is ${row.status}.`,
          });
        }
        const key = req.headers["idempotency-key"];
        const eventId =
          typeof key === "string"
            ? derivedEventId(["merchant-api-replay", scope.merchantId, key])
            : randomUUID();
        try {
          await deps.publisher.publish({
            eventId,
            orderId: row.orderId,
            merchantId: scope.merchantId,
            occurredAt: Date.now(),
            source: "ingest/merchant-api",
            correlationId: req.requestId,
            type: "REPLAY_REQUESTED",
            payload: { reason: body.reason, requestedBy: `merchant-api:${principal.subject}` },
          });
        } catch (error) {
          if (!(error instanceof PublishUnavailableError)) throw error;
          throw new HttpProblem({
            status: 503,
            code: "KAFKA_UNAVAILABLE",
            detail: "The replay could not be requested right now; retry with the same Idempotency-Key.",
            headers: { "retry-after": String(deps.retryAfterSeconds) },
            cause: error,
          });
        }
        return { status: 202, body: { eventId, orderId: row.orderId } };
      },
    }),
  ];
}
