import { randomUUID } from "node:crypto";
import type { AvroCodec, IncomingRecord, KafkaClient } from "@invoice/kafka";

/**
 * Reads a topic from its log start to the end offsets seen when the read began, with a throwaway
 * consumer group that commits nothing and is deleted afterwards (the DLQ is read, never consumed:
 * the records stay for the next look and for the replay).
 */
export async function readTopicToEnd(
  kafka: KafkaClient,
  topic: string,
  options: { timeoutMs?: number; onRecord?: (record: IncomingRecord) => void } = {},
): Promise<IncomingRecord[]> {
  const admin = kafka.admin();
  await admin.connect();
  const groupId = `invoice-cli-read-${randomUUID()}`;
  try {
    const ends = await admin.topicOffsets(topic);
    const remaining = new Map(
      ends.filter((e) => BigInt(e.high) > BigInt(e.low)).map((e) => [e.partition, BigInt(e.high)]),
    );
    if (remaining.size === 0) return [];
    const records: IncomingRecord[] = [];
    const consumer = kafka.consumer({ groupId, maxWaitTimeMs: 200, sessionTimeoutMs: 10_000 });
    let finish: () => void = () => {};
    const finished = new Promise<void>((resolve) => {
      finish = resolve;
    });
    await consumer.connect();
    try {
      await consumer.subscribe([topic], { fromBeginning: true });
      await consumer.run({
        partitionsConsumedConcurrently: 3,
        eachBatch: async (batch) => {
          const end = remaining.get(batch.partition);
          if (end === undefined) return;
          for (const record of batch.records) {
            if (BigInt(record.offset) >= end) break;
            records.push(record);
            options.onRecord?.(record);
          }
          const last = batch.records.at(-1);
          if (last && BigInt(last.offset) + 1n >= end) {
            remaining.delete(batch.partition);
            if (remaining.size === 0) finish();
          }
        },
      });
      const timeoutMs = options.timeoutMs ?? 60_000;
      let timer: NodeJS.Timeout | undefined;
      const timedOut = new Promise<"timeout">((resolve) => {
        timer = setTimeout(() => resolve("timeout"), timeoutMs);
      });
      const outcome = await Promise.race([finished, timedOut]);
      clearTimeout(timer);
      if (outcome === "timeout") {
        throw new Error(
          `reading ${topic} did not reach its end within ${timeoutMs} ms (partitions left: ${[...remaining.keys()].join(",")})`,
        );
      }
    } finally {
      await consumer.disconnect();
    }
    return records.sort((a, b) => a.partition - b.partition || Number(BigInt(a.offset) - BigInt(b.offset)));
  } finally {
    await admin.deleteGroups([groupId]).catch(() => undefined);
    await admin.disconnect();
  }
}

export type DecodedValue =
  | { format: "avro"; schemaId: number; value: unknown }
  | { format: "json"; value: unknown }
  | { format: "text"; value: string }
  | { format: "bytes"; base64: string; error?: string }
  | { format: "null" };

/** The value for people: Avro through the registry (Confluent framing), else JSON, text or base64. */
export async function decodeValue(codec: AvroCodec | undefined, value: Buffer | null): Promise<DecodedValue> {
  if (value === null) return { format: "null" };
  if (codec && value.length >= 5 && value[0] === 0) {
    try {
      const decoded = await codec.decode(value);
      return { format: "avro", schemaId: decoded.schemaId, value: decoded.value };
    } catch (error) {
      return {
        format: "bytes",
        base64: value.toString("base64"),
        error: error instanceof Error ? error.message : String(error),
      };
    }
  }
  const text = value.toString("utf8");
  if (!text.includes("\uFFFD")) {
    try {
      return { format: "json", value: JSON.parse(text) };
    } catch {
      return { format: "text", value: text };
    }
  }
  return { format: "bytes", base64: value.toString("base64") };
}

export function decodedObject(decoded: DecodedValue): unknown {
  return decoded.format === "avro" || decoded.format === "json" ? decoded.value : undefined;
}
