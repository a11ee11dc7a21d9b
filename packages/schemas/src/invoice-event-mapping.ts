/**
 * What the state machine publishes (`PublishInvoiceEvent` effects) to `invoice.events` records (Avro
 * `InvoiceEvent`) and back. The issuer supplies what only it knows as an explicit context: its
 * invoice row id; for an issued invoice, the template/series from its snapshot, the provider, the
 * totals and the provider's lookup code; for an opened claim, the buyer-facing claim link.
 *
 * Type by type: ClaimOpened → CLAIM_OPENED, ClaimExpired → CLAIM_EXPIRED, ClaimResolved →
 * CLAIM_RESOLVED, InvoiceIssued → INVOICE_ISSUED, InvoiceFailed → INVOICE_FAILED, IssuanceCancelled
 * → ISSUANCE_CANCELLED, CorrectionStarted → ADJUSTMENT_REQUIRED (automatic), ReviewRequired →
 * LATE_BUYER_REQUEST_RECORDED for LATE_BUYER_CHANGE (naming the late request, which is often not
 * the causing event: a change that waited for a send is raised by the send's result), else
 * REVIEW_REQUIRED.
 */
import type * as Domain from "@invoice/domain";
import { isLocalDate } from "@invoice/domain";
import { type MappingResult, mapped, refuse } from "./event-mapping-error.ts";
import * as Wire from "./invoice-event.ts";
import { UnsupportedEventError } from "./issuance-event.ts";
import { wellFormedText } from "./wire-text.ts";

/** What only the issuer knows about an issued invoice (its snapshot and the provider's answer). */
export interface IssuedContext {
  /** Ký hiệu mẫu số, e.g. "1". */
  templateCode: string;
  /** Ký hiệu hóa đơn, e.g. "C26TAA". */
  invoiceSeries: string;
  /** The invoice's total with VAT, whole VND (negative for a decrease adjustment). */
  totalPayableVnd: number;
  provider: string;
  /** Mã tra cứu for the buyer, when the provider gives one. */
  lookupCode: string | null;
}

export interface PublishContext {
  /** The issuer's Invoice row id (Snowflake, decimal string); null when the event is about no invoice. */
  invoiceId: string | null;
  /** Required for InvoiceIssued. */
  issued?: IssuedContext;
  /**
   * For ClaimOpened: the claim link commerce prints (CLAIMS_LINK_BASE_URL + token). Deployment
   * knowledge, not the machine's, hence context; without it the record carries null.
   */
  claimUrl?: string;
}

/** Every type the machine publishes and the wire type it travels as (exhaustive by construction). */
export const PUBLISHED_TYPES: Record<Domain.InvoiceEventType, Wire.InvoiceEventType> = {
  ClaimOpened: "CLAIM_OPENED",
  ClaimExpired: "CLAIM_EXPIRED",
  ClaimResolved: "CLAIM_RESOLVED",
  InvoiceIssued: "INVOICE_ISSUED",
  InvoiceFailed: "INVOICE_FAILED",
  IssuanceCancelled: "ISSUANCE_CANCELLED",
  CorrectionStarted: "ADJUSTMENT_REQUIRED",
  ReviewRequired: "REVIEW_REQUIRED",
};

const DAY_MS = 86_400_000;

function daysOf(date: string, path: string): number {
  if (!isLocalDate(date)) refuse("INVALID_VALUE", path, `${JSON.stringify(date)} is not a YYYY-MM-DD date`);
  return Date.UTC(Number(date.slice(0, 4)), Number(date.slice(5, 7)) - 1, Number(date.slice(8, 10))) / DAY_MS;
}

/** Avro `date` (days since 1970-01-01) to a LocalDate; a day outside years 0000-9999 is refused. */
function dateOf(days: number, path: string): string {
  const value = new Date(days * DAY_MS);
  const local = Number.isNaN(value.getTime()) ? "" : value.toISOString().slice(0, 10);
  if (!isLocalDate(local)) refuse("INVALID_VALUE", path, `${days} days since 1970 is not a YYYY-MM-DD date`);
  return local;
}

const ROLE_TO_WIRE: Record<Domain.InvoiceRole, Wire.InvoiceRole> = {
  original: "ORIGINAL",
  adjustment: "ADJUSTMENT",
  replacement: "REPLACEMENT",
};
const BUYER_KIND_TO_WIRE: Record<Domain.InvoiceBuyer["kind"], Wire.InvoiceIssued["buyerKind"]> = {
  company: "COMPANY",
  individual: "INDIVIDUAL",
  anonymous: "ANONYMOUS_RETAIL",
};

function fromWireEnum<D extends string, W extends string>(table: Record<D, W>, value: W, path: string): D {
  const found = Object.entries(table).find(([, wire]) => wire === value)?.[0];
  return found === undefined
    ? refuse("UNKNOWN_SYMBOL", path, `${value} is not a symbol this reader knows`)
    : (found as D);
}

/** The invoice's identity within its order, as the wire's records carry it. */
function identityToWire(p: { invoiceSeq: number; role: Domain.InvoiceRole; transactionUuid: string }) {
  return { invoiceSeq: p.invoiceSeq, role: ROLE_TO_WIRE[p.role], transactionUuid: p.transactionUuid };
}

function payloadToWire(
  event: Domain.InvoiceEvent,
  context: PublishContext,
): { type: Wire.InvoiceEventType; payload: object } {
  switch (event.type) {
    case "ClaimOpened": {
      const { claimUrl } = context;
      // A link to another claim (a context mix-up) would send this buyer to someone else's order.
      if (claimUrl !== undefined && !claimUrl.endsWith(`/${event.payload.claimToken}`))
        refuse("INVALID_VALUE", "context.claimUrl", "the claim link must end with the claim's token");
      const payload: Wire.ClaimOpened = { ...event.payload, claimUrl: claimUrl ?? null };
      return { type: "CLAIM_OPENED", payload };
    }
    case "ClaimExpired":
      return { type: "CLAIM_EXPIRED", payload: { ...event.payload } };
    case "ClaimResolved": {
      const reason = event.payload.reason.toUpperCase() as Wire.ClaimResolved["reason"];
      return { type: "CLAIM_RESOLVED", payload: { claimToken: event.payload.claimToken, reason } };
    }
    case "InvoiceIssued": {
      const issued =
        context.issued ??
        refuse(
          "MISSING_FIELD",
          "context.issued",
          "an issued invoice needs the issuer's template, series, totals and provider",
        );
      const p = event.payload;
      const payload: Wire.InvoiceIssued = {
        invoiceNo: p.invoiceNo,
        templateCode: issued.templateCode,
        invoiceSeries: issued.invoiceSeries,
        invoiceDate: daysOf(p.invoiceDate, "payload.invoiceDate"),
        totalPayableVnd: issued.totalPayableVnd,
        buyerKind: BUYER_KIND_TO_WIRE[p.buyerKind],
        provider: issued.provider,
        lookupCode: issued.lookupCode,
        ...identityToWire(p),
      };
      return { type: "INVOICE_ISSUED", payload };
    }
    case "InvoiceFailed": {
      const p = event.payload;
      const payload: Wire.InvoiceFailed = {
        errorCode: p.errorCode,
        reason: p.errorMessage,
        attempts: p.attempts,
        ...identityToWire(p),
      };
      return { type: "INVOICE_FAILED", payload };
    }
    case "IssuanceCancelled":
      return { type: "ISSUANCE_CANCELLED", payload: { ...event.payload } };
    case "CorrectionStarted": {
      const p = event.payload;
      const payload: Wire.AdjustmentRequired = {
        kind: p.role === "adjustment" ? "ADJUSTMENT" : "REPLACEMENT",
        reason: p.reason,
        automatic: true,
        invoiceSeq: p.invoiceSeq,
        relatesToSeq: p.relatesToSeq,
        transactionUuid: p.transactionUuid,
      };
      return { type: "ADJUSTMENT_REQUIRED", payload };
    }
    case "ReviewRequired":
      if (event.payload.code === "LATE_BUYER_CHANGE") {
        return {
          type: "LATE_BUYER_REQUEST_RECORDED",
          payload: {
            requestEventId: event.payload.requestEventId ?? event.causationEventId,
            reason: event.payload.message,
          },
        };
      }
      return { type: "REVIEW_REQUIRED", payload: { ...event.payload } };
  }
}

/** A published domain event to the `invoice.events` record (avsc's wrapped-union value). */
export function invoiceEventToWire(
  event: Domain.InvoiceEvent,
  context: PublishContext,
): MappingResult<Wire.InvoiceEventAvro> {
  return mapped(() => {
    const { type, payload } = payloadToWire(event, context);
    const wire = {
      eventId: event.eventId,
      orderId: event.orderId,
      merchantId: event.merchantId,
      invoiceId: context.invoiceId,
      occurredAt: event.occurredAt,
      causationEventId: event.causationEventId,
      type,
      payload,
    } as Wire.InvoiceEvent;
    return Wire.invoiceEventToAvro(wellFormedText(wire));
  });
}

function identity(p: { invoiceSeq: number | null; transactionUuid: string | null }) {
  if (p.invoiceSeq === null)
    refuse("MISSING_FIELD", "payload.invoiceSeq", "written before invoices were identified");
  if (p.transactionUuid === null)
    refuse("MISSING_FIELD", "payload.transactionUuid", "written before invoices were identified");
  return { invoiceSeq: p.invoiceSeq, transactionUuid: p.transactionUuid };
}

function roleOf(role: Wire.InvoiceRole): Domain.InvoiceRole {
  return fromWireEnum(ROLE_TO_WIRE, role, "payload.role");
}

function payloadFromWire(wire: Wire.InvoiceEvent): {
  type: Domain.InvoiceEventType;
  payload: object;
  issued?: IssuedContext;
  claimUrl?: string;
} {
  switch (wire.type) {
    case "CLAIM_OPENED": {
      const { claimUrl, ...payload } = wire.payload;
      return { type: "ClaimOpened", payload, ...(claimUrl ? { claimUrl } : {}) };
    }
    case "CLAIM_EXPIRED":
      return { type: "ClaimExpired", payload: { ...wire.payload } };
    case "CLAIM_RESOLVED":
      if (wire.payload.reason === "UNKNOWN")
        refuse("UNKNOWN_SYMBOL", "payload.reason", "claim resolution written by a newer producer");
      return {
        type: "ClaimResolved",
        payload: { claimToken: wire.payload.claimToken, reason: wire.payload.reason.toLowerCase() },
      };
    case "INVOICE_ISSUED": {
      const p = wire.payload;
      const payload: Domain.InvoiceEventPayloads["InvoiceIssued"] = {
        ...identity(p),
        role: roleOf(p.role),
        invoiceNo: p.invoiceNo,
        invoiceDate: dateOf(p.invoiceDate, "payload.invoiceDate"),
        buyerKind: fromWireEnum(BUYER_KIND_TO_WIRE, p.buyerKind, "payload.buyerKind"),
      };
      const issued: IssuedContext = {
        templateCode: p.templateCode,
        invoiceSeries: p.invoiceSeries,
        totalPayableVnd: p.totalPayableVnd,
        provider: p.provider,
        lookupCode: p.lookupCode,
      };
      return { type: "InvoiceIssued", payload, issued };
    }
    case "INVOICE_FAILED": {
      const p = wire.payload;
      return {
        type: "InvoiceFailed",
        payload: {
          ...identity(p),
          role: roleOf(p.role),
          errorCode: p.errorCode,
          errorMessage: p.reason,
          attempts: p.attempts,
        },
      };
    }
    case "ISSUANCE_CANCELLED":
      return {
        type: "IssuanceCancelled",
        payload: { ...identity(wire.payload), reason: wire.payload.reason },
      };
    case "ADJUSTMENT_REQUIRED": {
      const p = wire.payload;
      if (!p.automatic)
        refuse(
          "NOT_ON_THE_WIRE",
          "payload.automatic",
          "a correction left to a human travels as REVIEW_REQUIRED",
        );
      if (p.kind === "UNKNOWN")
        refuse("UNKNOWN_SYMBOL", "payload.kind", "correction kind written by a newer producer");
      if (p.reason !== "refund" && p.reason !== "buyer")
        refuse("INVALID_VALUE", "payload.reason", `correction reason ${p.reason}`);
      if (p.relatesToSeq === null)
        refuse("MISSING_FIELD", "payload.relatesToSeq", "written before corrections were identified");
      return {
        type: "CorrectionStarted",
        payload: {
          ...identity(p),
          role: p.kind === "ADJUSTMENT" ? "adjustment" : "replacement",
          relatesToSeq: p.relatesToSeq,
          reason: p.reason,
        },
      };
    }
    case "LATE_BUYER_REQUEST_RECORDED":
      return {
        type: "ReviewRequired",
        payload: {
          code: "LATE_BUYER_CHANGE",
          message: wire.payload.reason,
          requestEventId: wire.payload.requestEventId,
        },
      };
    case "REVIEW_REQUIRED":
      return { type: "ReviewRequired", payload: { ...wire.payload } };
  }
}

/**
 * A decoded `invoice.events` record to the domain event it was published from, with the context the
 * issuer added. Records of older writers that lack the invoice identity are refused (MISSING_FIELD).
 */
export function invoiceEventFromWire(
  decoded: Wire.InvoiceEventAvro,
): MappingResult<{ event: Domain.InvoiceEvent; context: PublishContext }> {
  return mapped(() => {
    if (decoded.type === "UNKNOWN")
      refuse("UNKNOWN_SYMBOL", "type", "event type written by a newer producer");
    let wire: Wire.InvoiceEvent;
    try {
      wire = Wire.invoiceEventFromAvro(decoded);
    } catch (error) {
      if (error instanceof UnsupportedEventError) return refuse("PAYLOAD_MISMATCH", "payload", error.message);
      throw error;
    }
    if (wire.causationEventId === null)
      refuse("MISSING_FIELD", "causationEventId", "every published event names its cause");
    const { type, payload, issued, claimUrl } = payloadFromWire(wire);
    const event = {
      eventId: wire.eventId,
      causationEventId: wire.causationEventId,
      orderId: wire.orderId,
      merchantId: wire.merchantId,
      occurredAt: wire.occurredAt,
      type,
      payload,
    } as Domain.InvoiceEvent;
    const context: PublishContext = {
      invoiceId: wire.invoiceId,
      ...(issued ? { issued } : {}),
      ...(claimUrl ? { claimUrl } : {}),
    };
    return { event, context };
  });
}
