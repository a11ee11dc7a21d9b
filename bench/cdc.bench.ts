// `pnpm bench cdc [--events N] [--merchants M] [--latency-samples K]`
//
// Pushes N Debezium change events (JSON, keyed by merchant, a mix of tax changes, non-tax changes and
// stale replays, after one create per merchant) through cdc-sync's handler and consumer against the
// real Kafka and PostgreSQL of the local stack, and compares, in the same run, with a baseline: the
// raw batched PostgreSQL upsert rate of the same TaxInfo rows (what the database alone can take).
// Then, through the CDC stack (stack/cdc.sh: real Debezium), K commits at commerce are timed until
// TaxInfo shows them. Last line: one JSON object (docs/performance.md).
import { Writable } from "node:stream";
import { parseArgs } from "node:util";
import {
  createCdcMetrics,
  createMerchantCdcConsumer,
  createMerchantCdcHandler,
  createPrismaTaxInfoStore,
  createRecordDecoder,
  DEFAULT_COLUMN_MAPPING,
} from "@invoice/cdc-sync";
import {
  createCommerceDatabase,
  debeziumEnvelope,
  ensureCdcStack,
  jsonBytes,
  MERCHANT_TABLE_DDL,
  merchantRow,
  startConnector,
} from "@invoice/cdc-sync/testing";
import { createPrismaClient } from "@invoice/db";
import { createTempDatabase } from "@invoice/db/testing";
import { createSnowflakeGenerator } from "@invoice/ids";
import { createKafkaJsClient, type OutgoingRecord, silentLogger } from "@invoice/kafka";
import { createLogger, createMetrics } from "@invoice/observability";
import { stackEnv, uniqueName, waitFor } from "@invoice/testing";
import pg from "pg";

const { values } = parseArgs({
  options: {
    events: { type: "string", default: "20000" },
    merchants: { type: "string", default: "2000" },
    "latency-samples": { type: "string", default: "30" },
  },
});
const EVENTS = Number(values.events);
const MERCHANTS = Number(values.merchants);
const SAMPLES = Number(values["latency-samples"]);
const stack = stackEnv();
const log = (msg: string) => console.error(`[bench cdc] ${msg}`);

// ---------------------------------------------------------------- the events
/** One create per merchant, then tax changes 40 %, non-tax changes 40 %, stale replays 20 %. */
function buildEvents(): {
  records: OutgoingRecord[];
  expected: { taxChanges: number; nonTax: number; stale: number };
} {
  const records: OutgoingRecord[] = [];
  /** LSN of the merchant's last event that changes TaxInfo (a create or a tax change). */
  const lastApplied = new Map<string, number>();
  const version = new Map<string, number>();
  let lsn = 1_000_000;
  const expected = { taxChanges: 0, nonTax: 0, stale: 0 };
  const push = (id: string, op: "c" | "u", row: Record<string, unknown>, at: number) =>
    records.push({
      key: id,
      value: jsonBytes(debeziumEnvelope({ op, after: row, lsn: at, tsMs: Date.now() })),
    });
  for (let m = 0; m < Math.min(MERCHANTS, EVENTS); m += 1) {
    const id = `bench-${m}`;
    lsn += 8;
    push(id, "c", merchantRow(id), lsn);
    lastApplied.set(id, lsn);
    version.set(id, 0);
  }
  for (let i = records.length; i < EVENTS; i += 1) {
    const id = `bench-${i % MERCHANTS}`;
    const kind = i % 5; // 0,1: tax change; 2,3: non-tax change; 4: stale replay
    const v = version.get(id) ?? 0;
    if (kind === 4) {
      // A redelivered older event: its LSN is below what TaxInfo holds for the merchant.
      push(id, "u", merchantRow(id, { legal_name: `stale ${id}` }), (lastApplied.get(id) ?? 1) - 4);
      expected.stale += 1;
      continue;
    }
    lsn += 8;
    if (kind <= 1) {
      lastApplied.set(id, lsn);
      version.set(id, v + 1);
      push(id, "u", merchantRow(id, { legal_name: `Công ty ${id} v${v + 1}` }), lsn);
      expected.taxChanges += 1;
    } else {
      push(
        id,
        "u",
        merchantRow(id, {
          legal_name: v === 0 ? `Công ty TNHH ${id}` : `Công ty ${id} v${v}`,
          shop_url: `u${i}`,
        }),
        lsn,
      );
      expected.nonTax += 1;
    }
  }
  return { records, expected };
}

async function invoiceDatabase(prefix: string) {
  return createTempDatabase(prefix, { migrate: true });
}

/** A migrated database with a Prisma client, and a Kafka client, for one part of the run. */
async function clients(prefix: string) {
  const database = await invoiceDatabase(prefix);
  const prisma = createPrismaClient({ databaseUrl: database.url, maxConnections: 5 });
  const kafka = createKafkaJsClient({
    brokers: stack.kafkaBrokers,
    clientId: uniqueName("bench"),
    logger: silentLogger,
  });
  return { database, prisma, kafka, admin: kafka.admin() };
}

// ---------------------------------------------------------------- baseline: raw batched upserts
async function baselineUpsertsPerSecond(rows: number, batch: number): Promise<number> {
  const database = await invoiceDatabase("bench_cdc_base");
  const client = new pg.Client({ connectionString: database.url });
  await client.connect();
  await client.query('SET search_path TO "invoice"');
  try {
    const started = performance.now();
    for (let done = 0; done < rows; done += batch) {
      const chunk = Array.from({ length: Math.min(batch, rows - done) }, (_v, i) => {
        const id = `bench-${(done + i) % MERCHANTS}`;
        return {
          merchantId: id,
          taxCode: "0100109106",
          legalName: `Công ty ${id} ${done + i}`,
          address: "Hà Nội",
          lsn: done + i,
        };
      });
      // Last row per merchant wins within a batch (ON CONFLICT cannot touch a row twice in one statement).
      const unique = [...new Map(chunk.map((r) => [r.merchantId, r])).values()];
      await client.query(
        `INSERT INTO "TaxInfo" ("merchantId", "taxCode", "legalName", "address", "sourceLsn", "sourceEventAt", "syncedAt", "updatedAt")
         SELECT x."merchantId", x."taxCode", x."legalName", x."address", x."lsn", now(), now(), now()
         FROM jsonb_to_recordset($1::jsonb) AS x("merchantId" text, "taxCode" text, "legalName" text, "address" text, "lsn" bigint)
         ON CONFLICT ("merchantId") DO UPDATE SET "legalName" = EXCLUDED."legalName", "sourceLsn" = EXCLUDED."sourceLsn",
           "syncedAt" = EXCLUDED."syncedAt", "updatedAt" = EXCLUDED."updatedAt"`,
        [JSON.stringify(unique)],
      );
    }
    return rows / ((performance.now() - started) / 1000);
  } finally {
    await client.end();
    await database.drop();
  }
}

/** cdc-sync's handler behind its (temporary) consumer, as main.ts wires them. */
function cdcSync(options: {
  prisma: ReturnType<typeof createPrismaClient>;
  kafka: ReturnType<typeof createKafkaJsClient>;
  topic: string;
  logger: ReturnType<typeof createLogger>;
  registry: ReturnType<typeof createMetrics>;
  onBatchDone?: (info: { records: number }) => void;
}) {
  const { prisma, kafka, topic, logger, registry } = options;
  return createMerchantCdcConsumer({
    kafka,
    admin: kafka.admin(),
    topic,
    dlqTopic: `${topic}.dlq`,
    groupId: uniqueName("bench_cdc"),
    handle: createMerchantCdcHandler({
      decode: createRecordDecoder({ format: "json" }),
      store: createPrismaTaxInfoStore({ prisma, ids: createSnowflakeGenerator({ workerId: 11 }) }),
      mapping: DEFAULT_COLUMN_MAPPING,
      logger,
      metrics: createCdcMetrics(registry),
    }),
    logger,
    onBatchDone: options.onBatchDone,
  });
}

// ---------------------------------------------------------------- cdc-sync through Kafka
async function throughCdcSync() {
  const { records, expected } = buildEvents();
  const { database, prisma, kafka, admin } = await clients("bench_cdc");
  const topic = uniqueName("bench_cdc_merchant");
  await admin.connect();
  await admin.ensureTopics([{ topic, partitions: 3 }]);
  const producer = kafka.producer();
  await producer.connect();
  for (let i = 0; i < records.length; i += 2_000) await producer.send(topic, records.slice(i, i + 2_000));
  await producer.disconnect();
  log(`produced ${records.length} events to ${topic}`);

  // Production logs one line per event; they are serialised here too, then discarded.
  const logger = createLogger({
    service: "cdc-sync-bench",
    destination: new Writable({ write: (_c, _e, done) => done() }),
  });
  const registry = createMetrics({ service: "cdc-sync-bench", defaultMetrics: false });
  let handled = 0;
  const consumer = cdcSync({
    prisma,
    kafka,
    topic,
    logger,
    registry,
    onBatchDone: ({ records: n }) => {
      handled += n;
    },
  });
  // Timed from the moment the consumer has joined its group (kafkajs' run() returns after the join).
  await consumer.start();
  const started = performance.now();
  await waitFor(() => handled >= records.length, {
    timeoutMs: 600_000,
    intervalMs: 20,
    description: "all events handled",
  });
  const seconds = (performance.now() - started) / 1000;
  await consumer.stop();
  const counts = (await registry.getSingleMetric("invoice_cdc_events_total")?.get())?.values ?? [];
  const sum = (outcome: string) =>
    counts.filter((v) => v.labels.outcome === outcome).reduce((a, v) => a + v.value, 0);
  const result = {
    seconds,
    applied: sum("applied"),
    unchanged: sum("unchanged"),
    stale: sum("stale"),
    expected,
  };
  await admin.deleteTopics([topic, `${topic}.dlq`]).catch(() => undefined);
  await admin.disconnect();
  await prisma.$disconnect();
  await database.drop();
  return result;
}

// ---------------------------------------------------------------- commit -> TaxInfo through Debezium
async function commitToTaxInfoLatency(samples: number) {
  if (samples === 0) return undefined;
  await ensureCdcStack();
  const commerce = await createCommerceDatabase("bench_commerce", MERCHANT_TABLE_DDL);
  const { database, prisma, kafka, admin } = await clients("bench_cdc_latency");
  const prefix = uniqueName("bench_lat");
  const row = merchantRow("lat-1");
  const cols = Object.keys(row).filter((c) => c !== "updated_at");
  await commerce.client.query(
    `INSERT INTO "Merchant" (${cols.join(",")}) VALUES (${cols.map((_c, i) => `$${i + 1}`).join(",")})`,
    cols.map((c) => row[c]),
  );
  const connector = await startConnector({ name: prefix, database: commerce, prefix, format: "json" });
  const sql = new pg.Client({ connectionString: database.url });
  await sql.connect();
  const logger = createLogger({ service: "cdc-sync-bench", level: "warn" });
  const consumer = cdcSync({
    prisma,
    kafka,
    topic: connector.topic,
    logger,
    registry: createMetrics({ service: "cdc-sync-bench", defaultMetrics: false }),
  });
  const legalName = async () =>
    (
      await sql.query<{ n: string }>(
        `SELECT "legalName" AS n FROM "invoice"."TaxInfo" WHERE "merchantId" = 'lat-1'`,
      )
    ).rows[0]?.n;
  try {
    await consumer.start();
    await waitFor(async () => (await legalName()) !== undefined, {
      timeoutMs: 120_000,
      description: "snapshot applied",
    });
    const latencies: number[] = [];
    for (let i = 0; i < samples; i += 1) {
      const name = `Công ty độ trễ ${i}`;
      const t0 = performance.now();
      await commerce.client.query(`UPDATE "Merchant" SET legal_name = $1 WHERE id = 'lat-1'`, [name]);
      await waitFor(async () => (await legalName()) === name, { timeoutMs: 60_000, intervalMs: 5 });
      latencies.push(performance.now() - t0);
    }
    latencies.sort((a, b) => a - b);
    const pct = (p: number) =>
      Math.round(latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))] ?? 0);
    return { samples, p50_ms: pct(0.5), p95_ms: pct(0.95), max_ms: Math.round(latencies.at(-1) ?? 0) };
  } finally {
    await consumer.stop();
    await admin.connect();
    await admin.deleteTopics([connector.topic, `${connector.topic}.dlq`]).catch(() => undefined);
    await admin.disconnect();
    await connector.remove();
    await sql.end();
    await prisma.$disconnect();
    await Promise.all([commerce.drop(), database.drop()]);
  }
}

const run = await throughCdcSync();
log(`cdc-sync: ${EVENTS} events in ${run.seconds.toFixed(2)} s (${JSON.stringify(run)})`);
const baseline = await baselineUpsertsPerSecond(EVENTS, 500);
log(`baseline: raw batched upserts ${Math.round(baseline)} rows/s`);
const latency = await commitToTaxInfoLatency(SAMPLES);
if (latency) log(`commit -> TaxInfo through Debezium: ${JSON.stringify(latency)}`);
const ok = run.applied === MERCHANTS + run.expected.taxChanges && run.stale === run.expected.stale;
if (!ok) log(`WARNING: outcome counts differ from the generated mix: ${JSON.stringify(run)}`);
console.log(
  JSON.stringify({
    bench: "cdc",
    events: EVENTS,
    merchants: MERCHANTS,
    applied_per_s: Math.round(run.applied / run.seconds),
    skipped_per_s: Math.round((run.unchanged + run.stale) / run.seconds),
    events_per_s: Math.round(EVENTS / run.seconds),
    applied: run.applied,
    skipped_unchanged: run.unchanged,
    skipped_stale: run.stale,
    counts_match_mix: ok,
    peak_rss_mb: Math.round(process.resourceUsage().maxRSS / 1024),
    baseline: { name: "pg_batched_upsert_500", rows_per_s: Math.round(baseline) },
    commit_to_taxinfo: latency ?? null,
  }),
);
process.exit(ok ? 0 : 1);
