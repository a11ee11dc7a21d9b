/**
 * The webhook body contract (services/ingest/README.md "Webhook events") and its normalisation into
 * the Avro IssuanceEvent envelope. Pure: the body is already parsed JSON and signature-checked.
 */
import type { IssuanceEvent } from "@invoice/schemas";
import { z } from "zod";
import { derivedEventId } from "../shared/event-ids.ts";
import {
  buyerSchema,
  externalId,
  type FieldError,
  fieldErrors,
  lineSchema,
  vndAmount,
} from "../shared/input-schemas.ts";

export type WebhookRoute = "merchant" | "internal";

/** Event types each route accepts. A provider callback comes only from the platform's own systems. */
export const WEBHOOK_EVENT_TYPES: Record<WebhookRoute, readonly string[]> = {
  merchant: ["payment.succeeded", "invoice.requested", "payment.refunded"],
  internal: ["payment.succeeded", "invoice.requested", "payment.refunded", "provider.callback"],
};

const envelope = z.object({
  /** The sender's own id of this event: retries carry the same one, and the eventId derives from it. */
  eventId: externalId(),
  type: z.string(),
  occurredAt: z.iso.datetime({ offset: true, message: "must be an RFC 3339 date-time with an offset" }),
  merchantId: externalId(),
  orderId: externalId(),
  data: z.unknown(),
});

const dataSchemas = {
  "payment.succeeded": z.object({
    paymentId: externalId(),
    amountVnd: vndAmount(),
    /** When the payment succeeded; defaults to occurredAt. */
    paidAt: z.iso.datetime({ offset: true }).optional(),
    lines: z.array(lineSchema).max(1_000).default([]),
    buyer: buyerSchema.nullish(),
  }),
  "invoice.requested": z.object({ buyer: buyerSchema }),
  "payment.refunded": z
    .object({ refundId: externalId(), amountVnd: vndAmount({ min: 1 }), full: z.boolean() })
    .strict(),
  "provider.callback": z.object({
    transactionUuid: z.uuid(),
    outcome: z.enum(["issued", "failed"]),
    invoiceNo: z.string().min(1).max(32).nullish(),
    errorCode: z.string().max(64).nullish(),
    errorMessage: z.string().max(1_000).nullish(),
  }),
} as const;

type WebhookType = keyof typeof dataSchemas;

export type ParsedWebhook =
  | { ok: true; event: IssuanceEvent; senderEventId: string }
  | { ok: false; status: 400; code: "SCHEMA_VIOLATION"; errors: FieldError[] }
  | { ok: false; status: 422; code: "UNKNOWN_EVENT_TYPE"; type: string; accepted: readonly string[] };

/** Parses a verified webhook body (JSON already parsed) into an IssuanceEvent keyed by its orderId. */
export function parseWebhookEvent(body: unknown, route: WebhookRoute): ParsedWebhook {
  const head = envelope.safeParse(body);
  // The type decides which schema applies: an unknown type is reported as such (422) even when the
  // rest of the envelope is wrong too, since no schema for it exists to check the rest against.
  const type =
    typeof (body as { type?: unknown } | null)?.type === "string"
      ? (body as { type: string }).type
      : undefined;
  if (type !== undefined && !WEBHOOK_EVENT_TYPES[route].includes(type)) {
    return { ok: false, status: 422, code: "UNKNOWN_EVENT_TYPE", type, accepted: WEBHOOK_EVENT_TYPES[route] };
  }
  if (!head.success)
    return { ok: false, status: 400, code: "SCHEMA_VIOLATION", errors: fieldErrors(head.error) };
  const e = head.data;
  const schema = dataSchemas[e.type as WebhookType];
  const data = schema.safeParse(e.data);
  if (!data.success) {
    return { ok: false, status: 400, code: "SCHEMA_VIOLATION", errors: fieldErrors(data.error, ["data"]) };
  }
  const occurredAt = Date.parse(e.occurredAt);
  const base = {
    eventId: derivedEventId([`${route}-webhook`, e.merchantId, e.eventId]),
    orderId: e.orderId,
    merchantId: e.merchantId,
    occurredAt,
    source: `ingest/${route}-webhook`,
    correlationId: e.eventId,
  };
  return {
    ok: true,
    event: toIssuanceEvent(e.type as WebhookType, data.data, base, route),
    senderEventId: e.eventId,
  };
}

type Base = Omit<IssuanceEvent, "type" | "payload">;

function toIssuanceEvent(type: WebhookType, data: unknown, base: Base, route: WebhookRoute): IssuanceEvent {
  switch (type) {
    case "payment.succeeded": {
      const d = data as z.output<(typeof dataSchemas)["payment.succeeded"]>;
      return {
        ...base,
        type: "PAYMENT_SUCCEEDED",
        payload: {
          paymentId: d.paymentId,
          amountVnd: d.amountVnd,
          paidAt: d.paidAt ? Date.parse(d.paidAt) : base.occurredAt,
          lines: d.lines,
          buyer: d.buyer ?? null,
        },
      };
    }
    case "invoice.requested": {
      const d = data as z.output<(typeof dataSchemas)["invoice.requested"]>;
      return {
        ...base,
        type: "INVOICE_REQUESTED",
        payload: { buyer: d.buyer, requestedAt: base.occurredAt, channel: `${route}-webhook` },
      };
    }
    case "payment.refunded": {
      const d = data as z.output<(typeof dataSchemas)["payment.refunded"]>;
      return {
        ...base,
        type: "PAYMENT_REFUNDED",
        payload: { refundId: d.refundId, amountVnd: d.amountVnd, full: d.full, refundedAt: base.occurredAt },
      };
    }
    case "provider.callback": {
      const d = data as z.output<(typeof dataSchemas)["provider.callback"]>;
      return {
        ...base,
        type: "PROVIDER_CALLBACK",
        payload: {
          transactionUuid: d.transactionUuid.toLowerCase(),
          outcome: d.outcome === "issued" ? "ISSUED" : "FAILED",
          invoiceNo: d.invoiceNo ?? null,
          errorCode: d.errorCode ?? null,
          errorMessage: d.errorMessage ?? null,
          receivedAt: base.occurredAt,
        },
      };
    }
  }
}
