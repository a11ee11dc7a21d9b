/**
 * Publishes domain IssuanceEvents to `invoice.issuance`: mapped to the wire by @invoice/schemas' one
 * mapping (issuanceEventToWire), Avro in the Confluent wire format with the id the registry gives the
 * issuance-event schema, key = orderId (murmur2 partitioning in @invoice/kafka), headers `eventId`
 * and `content-type` (DESIGN.md section 3), acks=all through the idempotent producer.
 *
 * A shared producer of `invoice.issuance` records (ingest and ops need the same) belongs in a platform
 * package; the port below is what the claims modules depend on, so moving it is one file.
 */

import type { ExternalIssuanceEvent } from "@invoice/domain";
import { PlatformError } from "@invoice/errors";
import type { AvroCodec, Producer, RecordMetadata } from "@invoice/kafka";
import { type IssuanceMeta, issuanceEventToWire, loadSchema, valueSubject } from "@invoice/schemas";

/** The header value naming the record's encoding. */
export const ISSUANCE_CONTENT_TYPE =
  "application/avro; wire-format=confluent; schema=vn.invoice.issuance.IssuanceEvent";

export interface IssuanceEventPublisher {
  /**
   * Resolves once every in-sync replica has the record. Rejects with a classified error
   * (KafkaClientError or SchemaCodecError, `retriable` set) when it may not have been written; it may
   * still have been (a lost acknowledgement), which is why callers publish only events whose eventId
   * is deterministic, so the issuer applies a repeat once.
   */
  publish(event: ExternalIssuanceEvent, meta: IssuanceMeta): Promise<RecordMetadata>;
  /** Waits for publishes in flight, then disconnects the producer. Idempotent. */
  stop(): Promise<void>;
}

export interface IssuancePublisherOptions {
  producer: Producer;
  codec: AvroCodec;
  /** The catalog's issuance topic (tests pass a topic of their own). */
  topic: string;
}

export function createIssuancePublisher({
  producer,
  codec,
  topic,
}: IssuancePublisherOptions): IssuanceEventPublisher {
  const subject = valueSubject(topic);
  let schemaId: Promise<number> | undefined;
  let connected: Promise<void> | undefined;
  let stopping: Promise<void> | undefined;
  const inFlight = new Set<Promise<unknown>>();

  /** Cached once known; a failure (registry down) is retried by the next publish. */
  const resolveSchemaId = () => {
    schemaId ??= (async () => {
      // `migrate` registered the schema; this finds its id (and registers it on a fresh subject).
      const level = (await codec.getCompatibility(subject)) ?? "BACKWARD";
      return codec.register(subject, loadSchema("issuance-event"), { compatibility: level });
    })().catch((error: unknown) => {
      schemaId = undefined;
      throw error;
    });
    return schemaId;
  };
  const connect = () => {
    connected ??= producer.connect().catch((error: unknown) => {
      connected = undefined;
      throw error;
    });
    return connected;
  };

  async function send(event: ExternalIssuanceEvent, meta: IssuanceMeta): Promise<RecordMetadata> {
    const wire = issuanceEventToWire(event, meta);
    // A refusal is a bug of ours (the events are built from validated rows): never retriable.
    if (!wire.ok) throw wire.error;
    const [id] = await Promise.all([resolveSchemaId(), connect()]);
    const value = await codec.encode(id, wire.value);
    const [metadata] = await producer.send(topic, [
      {
        key: event.orderId,
        value,
        headers: { eventId: event.eventId, "content-type": ISSUANCE_CONTENT_TYPE },
      },
    ]);
    if (!metadata) throw new Error(`producer returned no metadata for ${event.eventId}`);
    return metadata;
  }

  return {
    publish(event, meta) {
      if (stopping) return Promise.reject(new PublisherStoppedError());
      const sending = send(event, meta);
      inFlight.add(sending);
      void sending.then(
        () => inFlight.delete(sending),
        () => inFlight.delete(sending),
      );
      return sending;
    },
    stop() {
      stopping ??= (async () => {
        await Promise.allSettled([...inFlight]);
        if (connected) await producer.disconnect();
      })();
      return stopping;
    },
  };
}

/** A publish after stop(): the event stays owed in PostgreSQL and the relay of a running worker sends it. */
export class PublisherStoppedError extends PlatformError {
  override readonly name = "PublisherStoppedError";
  constructor() {
    super("PUBLISHER_STOPPED", "the issuance publisher is stopped", { retriable: true });
  }
}
