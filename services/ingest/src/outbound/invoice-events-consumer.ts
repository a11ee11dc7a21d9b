/**
 * invoice.events → WebhookDelivery rows, one per (endpoint, event): the consumer only records what is
 * to be delivered (one INSERT ... ON CONFLICT DO NOTHING per batch), and the delivery worker does the
 * HTTP, so a slow or dead endpoint never holds the consumer, its partition, or other merchants. The
 * record is decoded with the schema it was written with (no reader schema): an outcome type added to
 * the schema later is delivered as it is, without a redeploy of ingest. The offset is committed after
 * the rows are written; a re-delivered record records nothing twice (unique webhookId + eventId).
 */

import type { PrismaClient } from "@invoice/db";
import { classifyDatabaseError } from "@invoice/errors";
import type { IdGenerator } from "@invoice/ids";
import type { AvroCodec, IncomingRecord, KafkaClient } from "@invoice/kafka";
import type { Logger, Registry } from "@invoice/observability";
import type { TopicCatalog } from "@invoice/schemas";
import { decodeAvro } from "../consumer/avro-decode.ts";
import { type Disposition, deadLetter, done } from "../consumer/dispositions.ts";
import {
  type ConsumerComponent,
  createTemporaryConsumer,
  type Delivery,
  withProducer,
} from "../consumer/temporary-consumer.ts";

/** The body merchants receive (services/ingest/README.md "Outbound webhooks"). */
export interface OutboundEvent {
  eventId: string;
  type: string;
  occurredAt: string;
  merchantId: string;
  orderId: string;
  invoiceId: string | null;
  causationEventId: string | null;
  data: Record<string, unknown>;
}

const DOTTED: Record<string, string> = {
  INVOICE_ISSUED: "invoice.issued",
  INVOICE_FAILED: "invoice.failed",
  CLAIM_OPENED: "claim.opened",
  CLAIM_EXPIRED: "claim.expired",
  CLAIM_RESOLVED: "claim.resolved",
  ISSUANCE_CANCELLED: "invoice.issuance_cancelled",
  ADJUSTMENT_REQUIRED: "invoice.adjustment_required",
  LATE_BUYER_REQUEST_RECORDED: "invoice.late_buyer_request",
  REVIEW_REQUIRED: "invoice.review_required",
};

export const deliveredType = (type: string) => DOTTED[type] ?? `invoice.${type.toLowerCase()}`;

class InvoiceEventInvalidError extends Error {
  override readonly name = "InvoiceEventInvalidError";
  readonly code = "INVOICE_EVENT_INVALID";
  readonly retriable = false;
}

/** The decoded Avro InvoiceEvent (wrapped payload union) as the JSON merchants receive. */
export function toOutboundEvent(value: unknown): OutboundEvent {
  const v = value as Record<string, unknown>;
  for (const field of ["eventId", "orderId", "merchantId", "type"]) {
    if (typeof v?.[field] !== "string" || v[field] === "")
      throw new InvoiceEventInvalidError(`${field} missing`);
  }
  const payload = (v.payload ?? {}) as Record<string, unknown>;
  const branches = Object.values(payload);
  const data =
    branches.length === 1 && typeof branches[0] === "object" && branches[0] ? branches[0] : payload;
  const occurredAt = typeof v.occurredAt === "number" ? v.occurredAt : Number(v.occurredAt);
  if (!Number.isFinite(occurredAt)) throw new InvoiceEventInvalidError("occurredAt missing");
  return {
    eventId: v.eventId as string,
    type: deliveredType(v.type as string),
    occurredAt: new Date(occurredAt).toISOString(),
    merchantId: v.merchantId as string,
    orderId: v.orderId as string,
    invoiceId: typeof v.invoiceId === "string" ? v.invoiceId : null,
    causationEventId: typeof v.causationEventId === "string" ? v.causationEventId : null,
    data: data as Record<string, unknown>,
  };
}

type RecorderDb = Pick<PrismaClient, "webhook" | "webhookDelivery">;

export function recordDeliveries(deps: { prisma: RecorderDb; ids: IdGenerator; now?: () => number }) {
  const now = deps.now ?? Date.now;
  return async (batch: readonly Delivery<unknown>[]): Promise<Disposition[]> => {
    const dispositions: Disposition[] = [];
    const events: OutboundEvent[] = [];
    for (const delivery of batch) {
      try {
        events.push(toOutboundEvent(delivery.value));
        dispositions.push(done());
      } catch (error) {
        dispositions.push(deadLetter("non-retryable", error));
      }
    }
    if (events.length === 0) return dispositions;
    try {
      const endpoints = await deps.prisma.webhook.findMany({
        where: {
          merchantId: { in: [...new Set(events.map((e) => e.merchantId))] },
          enabled: true,
          deletedAt: null,
        },
        select: { id: true, merchantId: true, eventTypes: true },
      });
      const due = new Date(now());
      const rows = events.flatMap((event) =>
        endpoints
          .filter(
            (w) =>
              w.merchantId === event.merchantId &&
              (w.eventTypes.length === 0 || w.eventTypes.includes(event.type)),
          )
          .map((w) => ({
            id: deps.ids.next(),
            webhookId: w.id,
            merchantId: event.merchantId,
            eventId: event.eventId,
            eventType: event.type,
            orderId: event.orderId,
            payload: JSON.stringify(event),
            nextAttemptAt: due,
          })),
      );
      if (rows.length) await deps.prisma.webhookDelivery.createMany({ data: rows, skipDuplicates: true });
    } catch (error) {
      // Database down: retried in place (nothing of the batch is committed), never dead-lettered.
      throw classifyDatabaseError(error);
    }
    return dispositions;
  };
}

export function createInvoiceEventsConsumer(options: {
  kafka: KafkaClient;
  codec: AvroCodec;
  topics: TopicCatalog;
  groupId: string;
  prisma: RecorderDb;
  ids: IdGenerator;
  logger: Logger;
  metrics: Registry;
  onFatal(error: Error): void;
  fromBeginning?: boolean;
}): ConsumerComponent {
  const producer = options.kafka.producer();
  const consumer = createTemporaryConsumer<unknown>({
    name: "ingest-webhooks",
    kafka: options.kafka,
    groupId: options.groupId,
    topics: [options.topics.events.topic],
    fromBeginning: options.fromBeginning ?? false,
    deadLetterTopic: options.topics.ingestDlq.topic,
    producer,
    decode: (record: IncomingRecord) => decodeAvro<unknown>(options.codec, record),
    handle: recordDeliveries({ prisma: options.prisma, ids: options.ids }),
    logger: options.logger.child({ component: "invoice events consumer" }),
    metrics: options.metrics,
    onFatal: options.onFatal,
  });
  return withProducer(producer, consumer);
}
