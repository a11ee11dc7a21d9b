// `pnpm bench limits [--records N] [--orders M] [--batch B] [--partitions P] [--value-bytes V]`
//
// The machine's limits for the issuer's work, without the issuer:
// 1. the raw consume rate of our Kafka client (@invoice/kafka over kafkajs) on this broker: N records of
//    V bytes (about the size of an Avro PaymentSucceeded with buyer and lines) produced to a fresh topic
//    of P partitions, then read by one consumer that only counts them;
// 2. the batched PostgreSQL write rate of the issuer's rows for M orders: per order one OrderState row,
//    one Invoice, one InvoiceIssuance (the provider call) and one InvoiceAuditTracing row (issued),
//    B orders per transaction (four multi-row INSERT ... SELECT FROM jsonb_to_recordset), one connection.
// Last line: one JSON object (docs/performance.md).
import { randomBytes, randomUUID } from "node:crypto";
import { parseArgs } from "node:util";
import { createTempDatabase } from "@invoice/db/testing";
import { createKafkaJsClient, silentLogger } from "@invoice/kafka";
import { stackEnv, uniqueName, waitFor } from "@invoice/testing";
import pg from "pg";
import { insertIssuerRows, issuerRows } from "./support/issuer-rows.ts";
import { peakRssMb } from "./support/process-stats.ts";

const stack = stackEnv();
const log = (msg: string) => console.error(`[bench limits] ${msg}`);

// ---------------------------------------------------------------- Kafka: raw consume rate
export async function kafkaConsumeRate(records: number, partitions: number, valueBytes: number) {
  const kafka = createKafkaJsClient({
    brokers: stack.kafkaBrokers,
    clientId: uniqueName("bench_limits"),
    logger: silentLogger,
  });
  const admin = kafka.admin();
  const topic = uniqueName("bench_limits_consume");
  await admin.connect();
  await admin.ensureTopics([{ topic, partitions }]);
  try {
    const producer = kafka.producer();
    await producer.connect();
    const value = randomBytes(valueBytes);
    const produceStarted = performance.now();
    const chunk = 2_000;
    for (let i = 0; i < records; i += chunk) {
      const n = Math.min(chunk, records - i);
      await producer.send(
        topic,
        Array.from({ length: n }, (_v, j) => ({
          key: `order-${i + j}`,
          value,
          headers: { eventId: `e-${i + j}` },
        })),
      );
    }
    const produceSeconds = (performance.now() - produceStarted) / 1000;
    await producer.disconnect();
    log(`produced ${records} records of ${valueBytes} B to ${topic} in ${produceSeconds.toFixed(1)} s`);

    const consumer = kafka.consumer({ groupId: uniqueName("bench_limits") });
    await consumer.connect();
    await consumer.subscribe([topic], { fromBeginning: true });
    let seen = 0;
    let bytes = 0;
    let first = 0;
    await consumer.run({
      partitionsConsumedConcurrently: partitions,
      eachBatch: async (batch) => {
        if (first === 0) first = performance.now();
        seen += batch.records.length;
        for (const r of batch.records) bytes += r.value?.length ?? 0;
      },
    });
    const joined = performance.now();
    await waitFor(() => seen >= records, {
      timeoutMs: 600_000,
      intervalMs: 10,
      description: "every record consumed",
    });
    const done = performance.now();
    await consumer.disconnect();
    // Timed from the first batch: the wait between the join and the first fetch is not a rate.
    const seconds = (done - first) / 1000;
    return {
      records,
      partitions,
      value_bytes: valueBytes,
      consume_per_s: Math.round(records / seconds),
      consume_mb_per_s: Math.round((bytes / 1e6 / seconds) * 10) / 10,
      first_batch_after_join_ms: Math.round(first - joined),
      produce_per_s: Math.round(records / produceSeconds),
    };
  } finally {
    await admin.deleteTopics([topic]).catch(() => undefined);
    await admin.disconnect();
  }
}

// ---------------------------------------------------------------- PostgreSQL: the issuer's rows, batched
/** B orders' rows in one transaction on one connection; returns orders per second. */
export async function pgIssuerRowsRate(orders: number, batch: number) {
  const database = await createTempDatabase("bench_limits_pg", { migrate: true });
  const client = new pg.Client({ connectionString: database.url });
  await client.connect();
  await client.query('SET search_path TO "invoice"');
  const runId = randomUUID().slice(0, 8);
  const base = 7_000_000_000_000_000_000n;
  try {
    const started = performance.now();
    for (let done = 0; done < orders; done += batch) {
      const rows = Array.from({ length: Math.min(batch, orders - done) }, (_v, i) =>
        issuerRows(runId, done + i, base),
      );
      await insertIssuerRows(client, rows);
    }
    const seconds = (performance.now() - started) / 1000;
    return {
      orders,
      batch,
      orders_per_s: Math.round(orders / seconds),
      rows_per_s: Math.round((orders * 4) / seconds),
    };
  } finally {
    await client.end();
    await database.drop();
  }
}

// ---------------------------------------------------------------- run (only when started as the bench)
if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({
    options: {
      records: { type: "string", default: "100000" },
      orders: { type: "string", default: "20000" },
      batch: { type: "string", default: "200" },
      partitions: { type: "string", default: "3" },
      "value-bytes": { type: "string", default: "700" },
    },
  });
  const RECORDS = Number(values.records);
  const ORDERS = Number(values.orders);
  const BATCH = Number(values.batch);
  const PARTITIONS = Number(values.partitions);
  const VALUE_BYTES = Number(values["value-bytes"]);
  const kafka = await kafkaConsumeRate(RECORDS, PARTITIONS, VALUE_BYTES);
  log(`kafka: ${JSON.stringify(kafka)}`);
  const postgres = await pgIssuerRowsRate(ORDERS, BATCH);
  log(`postgres: ${JSON.stringify(postgres)}`);
  console.log(JSON.stringify({ bench: "limits", kafka, postgres, peak_rss_mb: peakRssMb() }));
}
