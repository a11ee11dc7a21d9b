/**
 * Commerce's Avro records (decoded with our reader schema) → IssuanceEvent. Pure. The same zod rules as
 * the webhooks (shared/input-schemas.ts); a record that fails them is refused with the field paths.
 */
import type {
  CommerceInvoiceRequested,
  CommerceInvoiceRequestFields,
  CommercePaymentRefunded,
  CommercePaymentSucceeded,
  IssuanceEvent,
} from "@invoice/schemas";
import { z } from "zod";
import { derivedEventId } from "../shared/event-ids.ts";
import { buyerSchema, externalId, fieldErrors, lineSchema, vndAmount } from "../shared/input-schemas.ts";

export type CommerceKind = "payment-succeeded" | "invoice-requested" | "payment-refunded";

export type CommerceValue = CommercePaymentSucceeded | CommerceInvoiceRequested | CommercePaymentRefunded;

export class CommerceRecordInvalidError extends Error {
  override readonly name = "CommerceRecordInvalidError";
  readonly code = "COMMERCE_RECORD_INVALID";
  readonly retriable = false;
}

const envelope = z.object({ eventId: externalId(), orderId: externalId(), merchantId: externalId() });
const epochMs = z.number().int().min(0).max(8_640_000_000_000_000);

function buyerInput(fields: CommerceInvoiceRequestFields) {
  const kind = fields.buyerType.normalize("NFKC").trim().toLowerCase();
  return {
    kind,
    name: (kind === "company" ? fields.companyName : fields.fullName) ?? "",
    taxCode: fields.taxCode,
    personalId: fields.personalId,
    address: fields.address,
    email: fields.email,
    phone: fields.phone,
  };
}

const paymentSucceeded = envelope.extend({
  paymentId: externalId(),
  amount: vndAmount(),
  currency: z.literal("VND", "only VND is invoiced"),
  paidAt: epochMs,
  items: z.array(z.unknown()).max(1_000),
  invoiceRequest: z.unknown().nullable(),
});

function parse<T>(schema: z.ZodType<T>, value: unknown, prefix: readonly string[] = []): T {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const errors = fieldErrors(result.error, prefix);
  throw new CommerceRecordInvalidError(
    `invalid commerce record: ${errors.map((e) => `${e.path}: ${e.message}`).join("; ")}`,
  );
}

/** Throws CommerceRecordInvalidError (non-retriable: the record goes to the DLQ) on any refusal. */
export function commerceToIssuanceEvent(kind: CommerceKind, value: CommerceValue): IssuanceEvent {
  const head = parse(envelope, value);
  const base = {
    eventId: derivedEventId(["commerce", kind, head.merchantId, head.eventId]),
    orderId: head.orderId,
    merchantId: head.merchantId,
    source: `ingest/commerce-${kind}`,
    correlationId: head.eventId,
  };
  switch (kind) {
    case "payment-succeeded": {
      const v = parse(paymentSucceeded, value);
      const lines = v.items.map((item, i) => {
        const it = item as CommercePaymentSucceeded["items"][number];
        return parse(
          lineSchema,
          {
            sku: it.sku,
            name: it.name,
            unit: it.unit,
            quantity: it.quantity,
            unitPriceVnd: it.unitPrice,
            discountVnd: it.discount,
            vatCategory: it.vatRate,
            reducedRateEligible: it.reducedRateEligible,
          },
          ["items", String(i)],
        );
      });
      const request = v.invoiceRequest as CommerceInvoiceRequestFields | null;
      const buyer = request ? parse(buyerSchema, buyerInput(request), ["invoiceRequest"]) : null;
      return {
        ...base,
        occurredAt: v.paidAt,
        type: "PAYMENT_SUCCEEDED",
        payload: { paymentId: v.paymentId, amountVnd: v.amount, paidAt: v.paidAt, lines, buyer },
      };
    }
    case "invoice-requested": {
      const v = value as CommerceInvoiceRequested;
      const requestedAt = parse(epochMs, v.requestedAt, ["requestedAt"]);
      const buyer = parse(buyerSchema, buyerInput(v));
      return {
        ...base,
        occurredAt: requestedAt,
        type: "INVOICE_REQUESTED",
        payload: { buyer, requestedAt, channel: "checkout" },
      };
    }
    case "payment-refunded": {
      const v = parse(
        envelope.extend({
          refundId: externalId(),
          amount: vndAmount({ min: 1 }),
          full: z.boolean(),
          refundedAt: epochMs,
        }),
        value,
      );
      return {
        ...base,
        occurredAt: v.refundedAt,
        type: "PAYMENT_REFUNDED",
        payload: { refundId: v.refundId, amountVnd: v.amount, full: v.full, refundedAt: v.refundedAt },
      };
    }
  }
}
