import type { TopicSpec } from "@invoice/kafka";
import type { SchemaName } from "./schema-files.ts";

/**
 * Every topic the platform owns or reads, with its partition count, key and value schema
 * (DESIGN.md section 3). Subjects follow Confluent's TopicNameStrategy: `<topic>-value`.
 */
export interface TopicDefinition {
  topic: string;
  partitions: number;
  /** What the record key holds; every invoice topic is keyed by orderId. */
  key: "orderId";
  /** Avro value schema, or "raw" for topics that carry another topic's original bytes unchanged. */
  value: SchemaName | "raw";
  /** Created by this platform (ours) or by commerce (theirs; we only read and check them). */
  owner: "invoice" | "commerce";
}

export interface TopicCatalogOptions {
  /** Partitions of invoice.issuance and its retry/DLQ topics (which must match it). */
  issuancePartitions?: number;
  eventsPartitions?: number;
  /** Commerce input topic names (their names are commerce's choice). */
  commercePaymentSucceeded?: string;
  commerceInvoiceRequested?: string;
  commercePaymentRefunded?: string;
  /** Partitions used when the local stack or a test creates commerce topics itself. */
  commercePartitions?: number;
  /**
   * Other names for the platform's own topics (tests, side-by-side environments on one cluster).
   * Retry and DLQ default to the issuance topic's name + ".retry" / ".dlq", as the catalog's do.
   */
  names?: Partial<Record<"issuance" | "issuanceRetry" | "issuanceDlq" | "events" | "ingestDlq", string>>;
}

export interface TopicCatalog {
  issuance: TopicDefinition;
  issuanceRetry: TopicDefinition;
  issuanceDlq: TopicDefinition;
  events: TopicDefinition;
  commercePaymentSucceeded: TopicDefinition;
  commerceInvoiceRequested: TopicDefinition;
  commercePaymentRefunded: TopicDefinition;
  /**
   * ingest's DLQ: records ingest consumed and could not use (undecodable, invalid), original key and
   * bytes unchanged, with DLQ headers naming the original topic/partition/offset and the reason.
   */
  ingestDlq: TopicDefinition;
}

export function topicCatalog(options: TopicCatalogOptions = {}): TopicCatalog {
  const issuancePartitions = options.issuancePartitions ?? 3;
  const commercePartitions = options.commercePartitions ?? 3;
  const invoice = (topic: string, partitions: number, value: SchemaName | "raw"): TopicDefinition => ({
    topic,
    partitions,
    key: "orderId",
    value,
    owner: "invoice",
  });
  const commerce = (topic: string, value: SchemaName): TopicDefinition => ({
    topic,
    partitions: commercePartitions,
    key: "orderId",
    value,
    owner: "commerce",
  });
  const names = options.names ?? {};
  const issuance = names.issuance ?? "invoice.issuance";
  return {
    issuance: invoice(issuance, issuancePartitions, "issuance-event"),
    // Retry and DLQ records keep the original key and value bytes, and the same partition count,
    // so a record's partition (and per-order ordering) is the same on every hop.
    issuanceRetry: invoice(names.issuanceRetry ?? `${issuance}.retry`, issuancePartitions, "raw"),
    issuanceDlq: invoice(names.issuanceDlq ?? `${issuance}.dlq`, issuancePartitions, "raw"),
    events: invoice(names.events ?? "invoice.events", options.eventsPartitions ?? 3, "invoice-event"),
    commercePaymentSucceeded: commerce(
      options.commercePaymentSucceeded ?? "commerce.payment.succeeded",
      "commerce-payment-succeeded",
    ),
    commerceInvoiceRequested: commerce(
      options.commerceInvoiceRequested ?? "commerce.invoice.requested",
      "commerce-invoice-requested",
    ),
    commercePaymentRefunded: commerce(
      options.commercePaymentRefunded ?? "commerce.payment.refunded",
      "commerce-payment-refunded",
    ),
    ingestDlq: invoice(names.ingestDlq ?? "invoice.ingest.dlq", commercePartitions, "raw"),
  };
}

export function valueSubject(topic: string): string {
  return `${topic}-value`;
}

/** Specs for Admin.ensureTopics; `includeCommerce` is for the local stack and tests only. */
export function topicSpecs(catalog: TopicCatalog, { includeCommerce = false } = {}): TopicSpec[] {
  return Object.values(catalog)
    .filter((t) => includeCommerce || t.owner === "invoice")
    .map((t) => ({ topic: t.topic, partitions: t.partitions }));
}
