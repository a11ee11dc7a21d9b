/**
 * Reads what the platform says about this run's orders: invoice.events (decoded), and invoice.issuance,
 * the retry and DLQ topics (counted). A consumer group of its own from the beginning of each topic, keeping only
 * records whose key (orderId) carries the run's prefix, so other traffic on a shared broker is skipped
 * without decoding.
 */
import type { AvroCodec, KafkaClient } from "@invoice/kafka";
import { type InvoiceEventAvro, invoiceEventFromAvro } from "@invoice/schemas";
import { emptyObservation, type OrderObservation } from "./summary.ts";

const ISSUANCE = "invoice.issuance";
const EVENTS = "invoice.events";
const RETRY = "invoice.issuance.retry";
const DLQ = ["invoice.issuance.dlq", "invoice.ingest.dlq"];

export async function watchRun(kafka: KafkaClient, codec: AvroCodec, keyPrefix: string) {
  const observations = new Map<string, OrderObservation>();
  const counts = { issuance: 0, retries: 0, dlq: 0, events: 0, claimsOpen: 0, issued: 0, undecodable: 0 };
  const claimListeners: Array<(orderId: string, token: string) => void> = [];
  const issuedListeners: Array<(orderId: string) => void> = [];
  const observation = (orderId: string) => {
    let o = observations.get(orderId);
    if (!o) {
      o = emptyObservation();
      observations.set(orderId, o);
    }
    return o;
  };
  const seenEvents = new Set<string>();
  const consumer = kafka.consumer({ groupId: `main-job-${keyPrefix}${Date.now()}`, maxWaitTimeMs: 250 });
  await consumer.connect();
  await consumer.subscribe([ISSUANCE, EVENTS, RETRY, ...DLQ], { fromBeginning: true });
  await consumer.run({
    partitionsConsumedConcurrently: 3,
    eachBatch: async (batch) => {
      for (const record of batch.records) {
        const key = record.key?.toString("utf8") ?? "";
        if (!key.startsWith(keyPrefix)) continue;
        if (batch.topic === ISSUANCE) {
          // What ingest, claims (and the issuer's wake-ups) accepted onto the issuer's input.
          counts.issuance++;
          continue;
        }
        if (batch.topic === RETRY) {
          counts.retries++;
          continue;
        }
        if (DLQ.includes(batch.topic)) {
          counts.dlq++;
          continue;
        }
        if (!record.value) continue;
        let event: ReturnType<typeof invoiceEventFromAvro>;
        try {
          event = invoiceEventFromAvro((await codec.decode<InvoiceEventAvro>(record.value)).value);
        } catch {
          counts.undecodable++;
          continue;
        }
        // At-least-once publishing: a repeated eventId is the same outcome again.
        const seenKey = `${event.orderId}/${event.eventId}`;
        if (seenEvents.has(seenKey)) continue;
        seenEvents.add(seenKey);
        counts.events++;
        const o = observation(event.orderId);
        switch (event.type) {
          case "CLAIM_OPENED":
            o.claimOpened = true;
            o.claimToken = event.payload.claimToken;
            counts.claimsOpen++;
            for (const l of claimListeners) l(event.orderId, event.payload.claimToken);
            break;
          case "CLAIM_EXPIRED":
            o.claimExpired = true;
            break;
          case "CLAIM_RESOLVED":
            o.claimResolved = event.payload.reason;
            if (event.payload.reason === "SUBMITTED") o.claimSubmitted = true;
            break;
          case "INVOICE_ISSUED": {
            const first = !o.issued.some((i) => i.role === "ORIGINAL");
            o.issued.push({
              transactionUuid: event.payload.transactionUuid,
              role: event.payload.role,
              buyerKind: event.payload.buyerKind,
              at: Number(record.timestamp),
            });
            if (event.payload.role === "ORIGINAL" && first) {
              counts.issued++;
              for (const l of issuedListeners) l(event.orderId);
            }
            break;
          }
          case "INVOICE_FAILED":
            o.failed++;
            break;
          case "ISSUANCE_CANCELLED":
            o.cancelled = true;
            break;
          case "ADJUSTMENT_REQUIRED":
            o.adjustmentRequired++;
            break;
          case "REVIEW_REQUIRED":
            o.reviews++;
            break;
          case "LATE_BUYER_REQUEST_RECORDED":
            break;
        }
      }
    },
  });
  return {
    observations,
    counts,
    observation,
    onClaimOpened: (listener: (orderId: string, token: string) => void) => claimListeners.push(listener),
    onIssued: (listener: (orderId: string) => void) => issuedListeners.push(listener),
    status: () =>
      `issuance ${counts.issuance} events ${counts.events} issued ${counts.issued} claims ${counts.claimsOpen} retries ${counts.retries} dlq ${counts.dlq}`,
    stop: () => consumer.disconnect(),
  };
}
