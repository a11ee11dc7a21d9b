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
import { peakRssMb } from "./support/process-stats.ts";

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
/** One issued order's rows, shaped like the issuer's (values realistic in size, not in meaning). */
function orderRows(runId: string, i: number, base: bigint) {
  const merchantId = `bench-${runId}`;
  const orderId = `o-${i}`;
  const invoiceId = (base + BigInt(i * 4)).toString();
  const transactionUuid = randomUUID();
  const now = new Date().toISOString();
  const lines = [{ sku: "SKU-1", name: "Cà phê sữa đá", quantity: "2", unitPriceVnd: 30_000, vat: "VAT8" }];
  const document = {
    status: "ISSUED",
    paid: { paymentId: `p-${i}`, amountVnd: 64_800, paidAt: Date.now(), lines },
    buyer: { kind: "anonymous" },
    attempts: [{ seq: 1, transactionUuid, outcome: "issued", invoiceNo: String(i + 1) }],
    seenEventIds: [`e-${i}`],
  };
  return {
    state: { merchantId, orderId, status: "ISSUED", document, version: 2 },
    invoice: {
      id: invoiceId,
      merchantId,
      orderId,
      sellerTaxCode: "0100109106",
      sellerSnapshot: {
        name: "Công ty TNHH Bench",
        taxCode: "0100109106",
        address: "Số 1 Tràng Tiền, Hà Nội",
      },
      providerConfigSnapshot: {
        templateCode: "1/001",
        invoiceSeries: "C26TAA",
        supplierTaxCode: "0100109106",
      },
      totalAmountWithoutTax: 60_000,
      totalTaxAmount: 4_800,
      totalAmountWithTax: 64_800,
      transactionUuid,
      providerInvoiceNo: `C26TAA${i + 1}`,
      issuedAt: now,
    },
    issuance: {
      id: (base + BigInt(i * 4 + 1)).toString(),
      invoiceId,
      idempotencyKey: transactionUuid,
      requestPayload: { sha256: "0".repeat(64), body: "x".repeat(900) },
      responsePayload: { errorCode: null, result: { invoiceNo: `C26TAA${i + 1}`, transactionID: `t-${i}` } },
      startedAt: now,
      finishedAt: now,
    },
    audit: {
      id: (base + BigInt(i * 4 + 2)).toString(),
      invoiceId,
      merchantId,
      orderId,
      eventId: `e-${i}`,
      after: { status: "ISSUED", invoiceNo: `C26TAA${i + 1}` },
    },
  };
}

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
        orderRows(runId, done + i, base),
      );
      await client.query("BEGIN");
      await client.query(
        `INSERT INTO "OrderState" ("merchantId", "orderId", "status", "document", "version", "updatedAt")
         SELECT x."merchantId", x."orderId", x."status"::"InvoiceStatus", x."document", x."version", now()
         FROM jsonb_to_recordset($1::jsonb) AS x("merchantId" text, "orderId" text, "status" text, "document" jsonb, "version" int)`,
        [JSON.stringify(rows.map((r) => r.state))],
      );
      await client.query(
        `INSERT INTO "Invoice" ("id", "merchantId", "orderId", "status", "version", "buyerNotGetInvoice", "sellerTaxCode",
           "sellerSnapshot", "provider", "providerConfigSnapshot", "invoiceType", "templateCode", "invoiceSeries",
           "invoiceDate", "totalAmountWithoutTax", "totalTaxAmount", "totalAmountWithTax", "transactionUuid",
           "providerInvoiceNo", "issuedAt", "updatedAt")
         SELECT x."id", x."merchantId", x."orderId", 'ISSUED', 1, true, x."sellerTaxCode", x."sellerSnapshot", 'sinvoice',
           x."providerConfigSnapshot", '1', '1/001', 'C26TAA', x."issuedAt", x."totalAmountWithoutTax", x."totalTaxAmount",
           x."totalAmountWithTax", x."transactionUuid"::uuid, x."providerInvoiceNo", x."issuedAt", now()
         FROM jsonb_to_recordset($1::jsonb) AS x("id" bigint, "merchantId" text, "orderId" text, "sellerTaxCode" text,
           "sellerSnapshot" jsonb, "providerConfigSnapshot" jsonb, "totalAmountWithoutTax" bigint, "totalTaxAmount" bigint,
           "totalAmountWithTax" bigint, "transactionUuid" text, "providerInvoiceNo" text, "issuedAt" timestamptz)`,
        [JSON.stringify(rows.map((r) => r.invoice))],
      );
      await client.query(
        `INSERT INTO "InvoiceIssuance" ("id", "invoiceId", "attempt", "operation", "provider", "idempotencyKey",
           "requestPayload", "responsePayload", "httpStatus", "outcome", "latencyMs", "startedAt", "finishedAt")
         SELECT x."id", x."invoiceId", 1, 'ISSUE', 'sinvoice', x."idempotencyKey"::uuid, x."requestPayload",
           x."responsePayload", 200, 'SUCCEEDED', 1, x."startedAt", x."finishedAt"
         FROM jsonb_to_recordset($1::jsonb) AS x("id" bigint, "invoiceId" bigint, "idempotencyKey" text,
           "requestPayload" jsonb, "responsePayload" jsonb, "startedAt" timestamptz, "finishedAt" timestamptz)`,
        [JSON.stringify(rows.map((r) => r.issuance))],
      );
      await client.query(
        `INSERT INTO "InvoiceAuditTracing" ("id", "invoiceId", "merchantId", "orderId", "eventType", "eventId",
           "outcome", "fromStatus", "toStatus", "after", "actor")
         SELECT x."id", x."invoiceId", x."merchantId", x."orderId", 'PaymentSucceeded', x."eventId", 'APPLIED',
           'ISSUING', 'ISSUED', x."after", 'issuer'
         FROM jsonb_to_recordset($1::jsonb) AS x("id" bigint, "invoiceId" bigint, "merchantId" text, "orderId" text,
           "eventId" text, "after" jsonb)`,
        [JSON.stringify(rows.map((r) => r.audit))],
      );
      await client.query("COMMIT");
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
  const kafka = await kafkaConsumeRate(RECORDS, PARTITIONS, VALUE_BYTES);
  log(`kafka: ${JSON.stringify(kafka)}`);
  const postgres = await pgIssuerRowsRate(ORDERS, BATCH);
  log(`postgres: ${JSON.stringify(postgres)}`);
  console.log(JSON.stringify({ bench: "limits", kafka, postgres, peak_rss_mb: peakRssMb() }));
}
