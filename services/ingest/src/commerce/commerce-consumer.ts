/**
 * The three commerce input topics → invoice.issuance. Records are Confluent-framed Avro written by
 * commerce's own (librdkafka / Java) producers; they are decoded with the writer schema the record
 * names and resolved into our reader schema (packages/schemas/avro/commerce-*.avsc), so a record written
 * with an older registered version decodes with the defaults of the fields it lacks. Output is keyed by
 * orderId (murmur2, the same partition any client computes), with an eventId derived from commerce's own
 * event id: a re-delivery publishes the same eventId, which the issuer drops.
 */
import { PlatformError } from "@invoice/errors";
import {
  type Admin,
  type AvroCodec,
  type IncomingRecord,
  type KafkaClient,
  type Producer,
  SchemaCodecError,
} from "@invoice/kafka";
import type { Logger, Registry } from "@invoice/observability";
import {
  issuanceEventToAvro,
  loadSchema,
  type SchemaName,
  type TopicCatalog,
  valueSubject,
} from "@invoice/schemas";
import { decodeAvro } from "../consumer/avro-decode.ts";
import { type Disposition, deadLetter, done } from "../consumer/dispositions.ts";
import {
  type ConsumerComponent,
  createTemporaryConsumer,
  type Delivery,
  withProducer,
} from "../consumer/temporary-consumer.ts";
import { ISSUANCE_CONTENT_TYPE } from "../publishing/issuance-publisher.ts";
import { type CommerceKind, type CommerceValue, commerceToIssuanceEvent } from "./commerce-mapping.ts";

const SCHEMA: Record<CommerceKind, SchemaName> = {
  "payment-succeeded": "commerce-payment-succeeded",
  "invoice-requested": "commerce-invoice-requested",
  "payment-refunded": "commerce-payment-refunded",
};

export interface CommerceRecord {
  kind: CommerceKind;
  value: CommerceValue;
}

function kindsByTopic(topics: TopicCatalog): Map<string, CommerceKind> {
  return new Map([
    [topics.commercePaymentSucceeded.topic, "payment-succeeded"],
    [topics.commerceInvoiceRequested.topic, "invoice-requested"],
    [topics.commercePaymentRefunded.topic, "payment-refunded"],
  ]);
}

/**
 * Decodes one commerce record. Non-retriable refusals (tombstone, not Confluent-framed, unknown schema
 * id, bytes that do not decode) throw SchemaCodecError with retriable false; a registry outage throws
 * a retriable PlatformError, which stalls the partition instead of dead-lettering good records.
 */
export function commerceDecoder(codec: AvroCodec, topics: TopicCatalog) {
  const kinds = kindsByTopic(topics);
  return async (record: IncomingRecord): Promise<CommerceRecord> => {
    const kind = kinds.get(record.topic);
    if (!kind)
      throw new SchemaCodecError(`not a commerce topic: ${record.topic}`, "SCHEMA_MALFORMED_RECORD", false);
    return { kind, value: await decodeAvro<CommerceValue>(codec, record, loadSchema(SCHEMA[kind])) };
  };
}

/**
 * The batch handler: maps each decoded record (a refusal → DLQ, reason non-retryable), publishes the
 * events in one send in the batch's order (acks=all), then reports them done. A failed send throws (the
 * batch is retried; nothing of it counts as done).
 */
export function commerceHandler(deps: {
  kafkaProducer: Pick<Producer, "send">;
  codec: AvroCodec;
  issuanceTopic: string;
}) {
  let schemaId: Promise<number> | undefined;
  return async (batch: readonly Delivery<CommerceRecord>[]): Promise<Disposition[]> => {
    schemaId ??= deps.codec
      .register(valueSubject(deps.issuanceTopic), loadSchema("issuance-event"))
      .catch((error) => {
        schemaId = undefined;
        throw new PlatformError("SCHEMA_REGISTRY_UNAVAILABLE", "cannot resolve the issuance schema", {
          retriable: true,
          cause: error,
        });
      });
    const id = await schemaId;
    const dispositions: Disposition[] = [];
    const outgoing = [];
    for (const delivery of batch) {
      try {
        const event = commerceToIssuanceEvent(delivery.value.kind, delivery.value.value);
        outgoing.push({
          key: event.orderId,
          value: await deps.codec.encode(id, issuanceEventToAvro(event)),
          headers: {
            eventId: event.eventId,
            "content-type": ISSUANCE_CONTENT_TYPE,
            ...(delivery.record.headers.traceparent
              ? { traceparent: delivery.record.headers.traceparent }
              : {}),
          },
          log: delivery.log.child({ orderId: event.orderId, eventId: event.eventId }),
        });
        dispositions.push(done());
      } catch (error) {
        if (error instanceof PlatformError && error.retriable) throw error;
        dispositions.push(deadLetter("non-retryable", error));
      }
    }
    if (outgoing.length) {
      const written = await deps.kafkaProducer.send(
        deps.issuanceTopic,
        outgoing.map(({ key, value, headers }) => ({ key, value, headers })),
      );
      outgoing.forEach(({ log, key }, i) => {
        log.info(
          { partition: written[i]?.partition, offset: written[i]?.offset },
          `[enqueueIssuance] orderId: ${key} partition: ${written[i]?.partition}`,
        );
      });
    }
    return dispositions;
  };
}

/**
 * Development and test only: the local stack has no commerce, so the commerce topics may not exist;
 * subscribing to a missing topic would stop the consumer. Deployed environments never create them
 * (commerce owns them): a missing one there stops the service with the topic named.
 */
export async function ensureLocalCommerceTopics(admin: Admin, topics: TopicCatalog): Promise<void> {
  await admin.connect();
  await admin.ensureTopics(
    [topics.commercePaymentSucceeded, topics.commerceInvoiceRequested, topics.commercePaymentRefunded].map(
      (t) => ({
        topic: t.topic,
        partitions: t.partitions,
      }),
    ),
  );
}

export function createCommerceConsumer(options: {
  kafka: KafkaClient;
  codec: AvroCodec;
  topics: TopicCatalog;
  groupId: string;
  logger: Logger;
  metrics: Registry;
  onFatal(error: Error): void;
  fromBeginning?: boolean;
}): ConsumerComponent {
  const producer = options.kafka.producer();
  const consumer = createTemporaryConsumer<CommerceRecord>({
    name: "ingest-commerce",
    kafka: options.kafka,
    groupId: options.groupId,
    topics: [...kindsByTopic(options.topics).keys()],
    fromBeginning: options.fromBeginning ?? true,
    deadLetterTopic: options.topics.ingestDlq.topic,
    producer,
    decode: commerceDecoder(options.codec, options.topics),
    handle: commerceHandler({
      kafkaProducer: producer,
      codec: options.codec,
      issuanceTopic: options.topics.issuance.topic,
    }),
    logger: options.logger.child({ component: "commerce consumer" }),
    metrics: options.metrics,
    onFatal: options.onFatal,
  });
  return withProducer(producer, consumer);
}
