/**
 * `invoice.issuance` records (Avro `IssuanceEvent`, the truth for what crosses Kafka) to the state
 * machine's events and back. Producers (ingest, claims, ops) map a domain event to the wire; the
 * issuer maps each decoded record to the event it feeds `decide`, and routes a refusal to its DLQ.
 *
 * Conventions: the envelope's `occurredAt` is the fact's time; the payloads' own timestamps
 * (`requestedAt`, `submittedAt`, `expiredAt`, `refundedAt`, `receivedAt`) repeat it: written equal
 * to it, not read. Avro nulls are absent optional fields in the domain. A line's `discountVnd` of 0
 * and `unit` of null are omitted in the domain.
 */
import type * as Domain from "@invoice/domain";
import { type MappingResult, mapped, refuse } from "./event-mapping-error.ts";
import * as Wire from "./issuance-event.ts";
import { requireWellFormedText } from "./wire-text.ts";

/** What the wire envelope carries that the domain event does not. */
export interface IssuanceMeta {
  /** Producing component, e.g. ingest/commerce-payments, claims/api, ops/cli. */
  source: string;
  correlationId: string | null;
}

const DOMAIN_TYPE: Record<Wire.IssuanceEventType, Domain.ExternalIssuanceEventType> = {
  PAYMENT_SUCCEEDED: "PaymentSucceeded",
  INVOICE_REQUESTED: "InvoiceRequested",
  CLAIM_SUBMITTED: "ClaimSubmitted",
  CLAIM_EXPIRED: "ClaimExpired",
  REPLAY_REQUESTED: "ReplayRequested",
  PAYMENT_REFUNDED: "PaymentRefunded",
  PROVIDER_CALLBACK: "ProviderCallback",
};

const WIRE_TYPE = Object.fromEntries(
  Object.entries(DOMAIN_TYPE).map(([wire, domain]) => [domain, wire]),
) as Record<Domain.ExternalIssuanceEventType, Wire.IssuanceEventType>;

function optional<K extends string, V>(key: K, value: V | null | undefined): Partial<Record<K, V>> {
  return value === null || value === undefined ? {} : ({ [key]: value } as Record<K, V>);
}

function buyerFromWire(buyer: Wire.Buyer, path: string): Domain.BuyerInfo {
  if (buyer.kind !== "COMPANY" && buyer.kind !== "INDIVIDUAL") {
    refuse("UNKNOWN_SYMBOL", `${path}.kind`, `buyer kind ${buyer.kind} is not one this reader knows`);
  }
  return {
    kind: buyer.kind === "COMPANY" ? "company" : "individual",
    name: buyer.name,
    ...optional("taxCode", buyer.taxCode),
    ...optional("personalId", buyer.personalId),
    ...optional("address", buyer.address),
    ...optional("email", buyer.email),
    ...optional("phone", buyer.phone),
  };
}

function buyerToWire(buyer: Domain.BuyerInfo): Wire.Buyer {
  return {
    kind: buyer.kind === "company" ? "COMPANY" : "INDIVIDUAL",
    name: buyer.name,
    taxCode: buyer.taxCode ?? null,
    personalId: buyer.personalId ?? null,
    address: buyer.address ?? null,
    email: buyer.email ?? null,
    phone: buyer.phone ?? null,
  };
}

/** Avro's `vatCategory` + `reducedRateEligible` to the domain's VatCategory, and back. */
function vatCategoryFromWire(line: Wire.OrderLine, path: string): Domain.VatCategory {
  const category = line.vatCategory;
  if (line.reducedRateEligible && category !== "10") {
    refuse(
      "INVALID_VALUE",
      `${path}.reducedRateEligible`,
      `only a 10% line can be eligible for the reduced rate, not ${category}`,
    );
  }
  switch (category) {
    case "10":
      return line.reducedRateEligible ? "VAT10_REDUCIBLE" : "VAT10";
    case "5":
      return "VAT5";
    case "0":
      return "VAT0";
    case "KCT":
    case "KKKNT":
      return category;
    default:
      if (/^KHAC:\d{1,2}(\.\d{1,2})?%?$/.test(category))
        return `KHAC:${category.slice(5).replace(/%$/, "")}%`;
      return refuse(
        "INVALID_VALUE",
        `${path}.vatCategory`,
        `VAT category ${JSON.stringify(category)} is not 10, 5, 0, KCT, KKKNT or KHAC:<rate>`,
      );
  }
}

function vatCategoryToWire(category: Domain.VatCategory): {
  vatCategory: string;
  reducedRateEligible: boolean;
} {
  switch (category) {
    case "VAT10":
      return { vatCategory: "10", reducedRateEligible: false };
    case "VAT10_REDUCIBLE":
      return { vatCategory: "10", reducedRateEligible: true };
    case "VAT5":
      return { vatCategory: "5", reducedRateEligible: false };
    case "VAT0":
      return { vatCategory: "0", reducedRateEligible: false };
    default:
      return { vatCategory: category.replace(/%$/, ""), reducedRateEligible: false };
  }
}

function lineFromWire(line: Wire.OrderLine, path: string): Domain.OrderLine {
  return {
    sku: line.sku,
    name: line.name,
    ...optional("unit", line.unit),
    quantity: line.quantity,
    unitPriceVnd: line.unitPriceVnd,
    ...(line.discountVnd !== 0 ? { discountVnd: line.discountVnd } : {}),
    vatCategory: vatCategoryFromWire(line, path),
  };
}

function lineToWire(line: Domain.OrderLine, path: string): Wire.OrderLine {
  if (line.sku === undefined || line.sku === "")
    refuse("MISSING_FIELD", `${path}.sku`, "every line on the wire has a SKU");
  return {
    sku: line.sku,
    name: line.name,
    unit: line.unit ?? null,
    quantity: String(line.quantity),
    unitPriceVnd: line.unitPriceVnd,
    discountVnd: line.discountVnd ?? 0,
    ...vatCategoryToWire(line.vatCategory),
  };
}

function payloadFromWire(event: Wire.IssuanceEvent): Domain.ExternalIssuanceEvent["payload"] {
  switch (event.type) {
    case "PAYMENT_SUCCEEDED": {
      const p = event.payload;
      return {
        paymentId: p.paymentId,
        amountVnd: p.amountVnd,
        paidAt: p.paidAt,
        lines: p.lines.map((line, i) => lineFromWire(line, `payload.lines[${i}]`)),
        ...(p.buyer ? { buyer: buyerFromWire(p.buyer, "payload.buyer") } : {}),
      };
    }
    case "INVOICE_REQUESTED":
      return { buyer: buyerFromWire(event.payload.buyer, "payload.buyer"), channel: event.payload.channel };
    case "CLAIM_SUBMITTED":
      return {
        claimToken: event.payload.claimToken,
        buyer: buyerFromWire(event.payload.buyer, "payload.buyer"),
      };
    case "CLAIM_EXPIRED":
      return { claimToken: event.payload.claimToken };
    case "REPLAY_REQUESTED":
      return { reason: event.payload.reason, requestedBy: event.payload.requestedBy };
    case "PAYMENT_REFUNDED":
      return {
        refundId: event.payload.refundId,
        amountVnd: event.payload.amountVnd,
        full: event.payload.full,
      };
    case "PROVIDER_CALLBACK": {
      const p = event.payload;
      if (p.outcome !== "ISSUED" && p.outcome !== "FAILED") {
        refuse(
          "UNKNOWN_SYMBOL",
          "payload.outcome",
          `provider outcome ${p.outcome} is not one this reader knows`,
        );
      }
      return {
        transactionUuid: p.transactionUuid,
        outcome: p.outcome === "ISSUED" ? "issued" : "failed",
        ...optional("invoiceNo", p.invoiceNo),
        ...optional("errorCode", p.errorCode),
        ...optional("errorMessage", p.errorMessage),
      };
    }
  }
}

/**
 * A decoded `invoice.issuance` record (avsc's wrapped-union value) to the event the issuer feeds
 * `decide`, with the envelope fields the domain does not carry.
 */
export function issuanceEventFromWire(
  decoded: Wire.IssuanceEventAvro,
): MappingResult<{ event: Domain.ExternalIssuanceEvent; meta: IssuanceMeta }> {
  return mapped(() => {
    if (decoded.type === "UNKNOWN")
      refuse("UNKNOWN_SYMBOL", "type", "event type written by a newer producer");
    let wire: Wire.IssuanceEvent;
    try {
      wire = Wire.issuanceEventFromAvro(decoded);
    } catch (error) {
      if (error instanceof Wire.UnsupportedEventError)
        return refuse("PAYLOAD_MISMATCH", "payload", error.message);
      throw error;
    }
    const event = {
      eventId: wire.eventId,
      orderId: wire.orderId,
      merchantId: wire.merchantId,
      occurredAt: wire.occurredAt,
      type: DOMAIN_TYPE[wire.type],
      payload: payloadFromWire(wire),
    } as Domain.ExternalIssuanceEvent;
    return { event, meta: { source: wire.source, correlationId: wire.correlationId } };
  });
}

function payloadToWire(event: Domain.ExternalIssuanceEvent): Wire.IssuanceEvent["payload"] {
  const at = event.occurredAt;
  switch (event.type) {
    case "PaymentSucceeded": {
      const p = event.payload;
      return {
        paymentId: p.paymentId,
        amountVnd: p.amountVnd,
        paidAt: p.paidAt,
        lines: p.lines.map((line, i) => lineToWire(line, `payload.lines[${i}]`)),
        buyer: p.buyer ? buyerToWire(p.buyer) : null,
      };
    }
    case "InvoiceRequested":
      if (!event.payload.channel)
        refuse("MISSING_FIELD", "payload.channel", "an invoice request names its channel on the wire");
      return { buyer: buyerToWire(event.payload.buyer), requestedAt: at, channel: event.payload.channel };
    case "ClaimSubmitted":
      return {
        claimToken: event.payload.claimToken,
        buyer: buyerToWire(event.payload.buyer),
        submittedAt: at,
      };
    case "ClaimExpired":
      return { claimToken: event.payload.claimToken, expiredAt: at };
    case "ReplayRequested":
      return { reason: event.payload.reason, requestedBy: event.payload.requestedBy };
    case "PaymentRefunded":
      return { ...event.payload, refundedAt: at };
    case "ProviderCallback": {
      const p = event.payload;
      return {
        transactionUuid: p.transactionUuid,
        outcome: p.outcome === "issued" ? "ISSUED" : "FAILED",
        invoiceNo: p.invoiceNo ?? null,
        errorCode: p.errorCode ?? null,
        errorMessage: p.errorMessage ?? null,
        receivedAt: at,
      };
    }
  }
}

/**
 * A domain event to the `invoice.issuance` record (avsc's wrapped-union value, ready to encode).
 * The issuer's internal events (SendResult, WakeUp, SendRetriesExhausted) never go on the wire.
 */
export function issuanceEventToWire(
  event: Domain.ExternalIssuanceEvent,
  meta: IssuanceMeta,
): MappingResult<Wire.IssuanceEventAvro> {
  return mapped(() => {
    const type = WIRE_TYPE[event.type];
    if (!type) return refuse("NOT_ON_THE_WIRE", "type", `${String(event.type)} is internal to the issuer`);
    const wire = {
      eventId: event.eventId,
      orderId: event.orderId,
      merchantId: event.merchantId,
      occurredAt: event.occurredAt,
      type,
      source: meta.source,
      correlationId: meta.correlationId,
      payload: payloadToWire(event),
    } as Wire.IssuanceEvent;
    return Wire.issuanceEventToAvro(requireWellFormedText(wire));
  });
}
