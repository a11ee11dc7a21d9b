/**
 * What leaves the process after a decision is committed: its InvoiceEvents on invoice.events (keyed
 * by orderId, the machine's stable eventIds, so a repeat after a crash is deduped downstream) and its
 * wake-ups on invoice.issuance.retry (the original record's bytes, due at the wake-up's time, with
 * WAKE_HEADERS naming the WakeUp to feed). What only the issuer knows is added here, as the mapping's
 * publish context: the invoice row's identity and provider details, and a claim's link.
 */
import { claimLink } from "@invoice/config";
import type { Effect, InvoiceEvent } from "@invoice/domain";
import type { AvroCodec, IncomingRecord, OutgoingRecord, Producer } from "@invoice/kafka";
import { RETRY_HEADERS } from "@invoice/processing";
import { invoiceEventToWire, loadSchema, valueSubject } from "@invoice/schemas";
import type { InvoiceRowView } from "./invoice-rows.ts";
import { WAKE_HEADERS } from "./issuer-input.ts";
import { seriesFor } from "./merchant-profile.ts";

export interface OutputsOptions {
  producer: Producer;
  codec: AvroCodec;
  eventsTopic: string;
  retryTopic: string;
  /** CLAIMS_LINK_BASE_URL: ClaimOpened carries this followed by the token, for commerce to print. */
  claimLinkBaseUrl: string;
}

type WakeUpEffect = Extract<Effect, { type: "ScheduleWakeUp" }>;

function seqOf(event: InvoiceEvent): number | undefined {
  const payload = event.payload as { invoiceSeq?: number };
  return typeof payload.invoiceSeq === "number" ? payload.invoiceSeq : undefined;
}

export function createOutputs(options: OutputsOptions) {
  let schemaId: Promise<number> | undefined;
  const eventsSchemaId = () => {
    schemaId ??= options.codec
      .register(valueSubject(options.eventsTopic), loadSchema("invoice-event"))
      .catch((error: unknown) => {
        schemaId = undefined;
        throw error;
      });
    return schemaId;
  };

  async function toRecord(
    event: InvoiceEvent,
    invoices: Map<number, InvoiceRowView>,
  ): Promise<OutgoingRecord> {
    const seq = seqOf(event);
    const row = seq === undefined ? undefined : invoices.get(seq);
    const wire = invoiceEventToWire(event, {
      invoiceId: row ? row.id.toString() : null,
      ...(row && event.type === "InvoiceIssued"
        ? {
            issued: {
              templateCode: row.provider.templateCode.split("/")[0] ?? "1",
              // The series of the date it was issued with: a send re-dated into the next year
              // (ADR 0020) is in that year's series, whatever the row said when it was created.
              invoiceSeries: seriesFor(row.provider, event.payload.invoiceDate),
              totalPayableVnd: row.totalPayableVnd,
              provider: row.provider.provider,
              lookupCode: row.lookupCode,
            },
          }
        : {}),
      ...(event.type === "ClaimOpened"
        ? { claimUrl: claimLink(options.claimLinkBaseUrl, event.payload.claimToken) }
        : {}),
    });
    if (!wire.ok) throw wire.error;
    return {
      key: event.orderId,
      value: await options.codec.encode(await eventsSchemaId(), wire.value),
      headers: { eventId: event.eventId, "content-type": "application/vnd.invoice.invoice-event+avro" },
    };
  }

  return {
    /** Publishes the events (acks=all) or throws; a repeat is harmless (stable eventIds). */
    async publish(events: InvoiceEvent[], invoices: Map<number, InvoiceRowView>): Promise<void> {
      if (events.length === 0) return;
      const records = await Promise.all(events.map((event) => toRecord(event, invoices)));
      await options.producer.send(options.eventsTopic, records);
    },

    /** Parks the record on the retry topic until `dueAt`, to come back as the effect's WakeUp. */
    async scheduleWakeUp(
      record: IncomingRecord,
      effect: WakeUpEffect,
      dueAt: number,
      retries: number,
      lastError: { code: string; message: string },
    ) {
      const headers: Record<string, string> = {};
      for (const [name, value] of Object.entries(record.headers)) {
        // Not an operator's replay headers either: the wake-up is the issuer's own, its retry budget
        // in issuer.wake.retries (a copy still marked as replayed would be read as another replay).
        if (!["retry.", "issuer.wake.", "dlq.", "replay."].some((prefix) => name.startsWith(prefix))) {
          headers[name] = value;
        }
      }
      Object.assign(headers, {
        [RETRY_HEADERS.attempt]: String(Math.max(1, retries)),
        [RETRY_HEADERS.dueAt]: String(Math.round(dueAt)),
        [RETRY_HEADERS.errorClass]: "WakeUp",
        [RETRY_HEADERS.errorCode]: lastError.code,
        [RETRY_HEADERS.errorMessage]: lastError.message.slice(0, 1_000),
        [RETRY_HEADERS.originalTopic]: record.headers[RETRY_HEADERS.originalTopic] ?? record.topic,
        [RETRY_HEADERS.originalPartition]:
          record.headers[RETRY_HEADERS.originalPartition] ?? String(record.partition),
        [RETRY_HEADERS.originalOffset]: record.headers[RETRY_HEADERS.originalOffset] ?? record.offset,
        [WAKE_HEADERS.eventId]: effect.wakeUpEventId,
        [WAKE_HEADERS.reason]: effect.reason,
        [WAKE_HEADERS.retries]: String(retries),
        ...(effect.attemptId ? { [WAKE_HEADERS.attemptId]: effect.attemptId } : {}),
      });
      await options.producer.send(options.retryTopic, [{ key: record.key, value: record.value, headers }]);
    },
  };
}

export type Outputs = ReturnType<typeof createOutputs>;
