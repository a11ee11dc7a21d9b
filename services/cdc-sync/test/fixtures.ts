import { Writable } from "node:stream";
import { createPrismaClient, type PrismaClient } from "@invoice/db";
import { connect, createTempDatabase } from "@invoice/db/testing";
import { createSnowflakeGenerator } from "@invoice/ids";
import { createKafkaJsClient, type IncomingRecord, type KafkaClient, silentLogger } from "@invoice/kafka";
import { createLogger, createMetrics, type Logger, type Registry } from "@invoice/observability";
import { stackEnv, uniqueName, waitFor } from "@invoice/testing";
import { createMerchantCdcConsumer } from "../src/consumer/merchant-cdc.temporary-consumer.ts";
import { createAvroEnvelopeDecoder } from "../src/envelope/avro-envelope-decoder.ts";
import { createRecordDecoder } from "../src/envelope/record-decoder.ts";
import { createCdcMetrics } from "../src/handler/cdc-metrics.ts";
import { createMerchantCdcHandler } from "../src/handler/merchant-cdc.handler.ts";
import { createPrismaTaxInfoStore } from "../src/store/prisma-tax-info-store.ts";
import type { TaxInfoStore } from "../src/store/tax-info-store.ts";
import { type ColumnMapping, DEFAULT_COLUMN_MAPPING } from "../src/tax/column-mapping.ts";

/** A migrated invoice database of its own (schema "invoice"), with a Prisma client and a pg client. */
export async function createInvoiceDatabase(prefix: string) {
  const temp = await createTempDatabase(prefix, { migrate: true });
  const prisma = createPrismaClient({ databaseUrl: temp.url, maxConnections: 4 });
  const sql = await connect(temp.url);
  return {
    name: temp.name,
    url: temp.url,
    prisma,
    sql,
    async drop() {
      await prisma.$disconnect();
      await sql.end();
      await temp.drop();
    },
  };
}

export type InvoiceDatabase = Awaited<ReturnType<typeof createInvoiceDatabase>>;

/** A pino logger whose JSON lines the test can search (the operational markers are asserted). */
export function capturingLogger(): { logger: Logger; lines: Array<Record<string, unknown>> } {
  const lines: Array<Record<string, unknown>> = [];
  const destination = new Writable({
    write(chunk, _encoding, done) {
      for (const line of String(chunk).split("\n")) if (line.trim()) lines.push(JSON.parse(line));
      done();
    },
  });
  return { logger: createLogger({ service: "cdc-sync-test", level: "debug", destination }), lines };
}

export function kafkaClient(): KafkaClient {
  return createKafkaJsClient({
    brokers: stackEnv().kafkaBrokers,
    clientId: uniqueName("cdc"),
    logger: silentLogger,
  });
}

/** cdc-sync's handler + temporary consumer in this process, against the real stack. */
export async function startCdcSync(options: {
  db: InvoiceDatabase;
  topic: string;
  mapping?: ColumnMapping;
  kafka?: KafkaClient;
}) {
  const kafka = options.kafka ?? kafkaClient();
  const admin = kafka.admin();
  const { logger, lines } = capturingLogger();
  const registry: Registry = createMetrics({ service: "cdc-sync-test", defaultMetrics: false });
  const metrics = createCdcMetrics(registry);
  const store: TaxInfoStore = createPrismaTaxInfoStore({
    prisma: options.db.prisma as PrismaClient,
    ids: createSnowflakeGenerator({ workerId: 7 }),
  });
  const handle = createMerchantCdcHandler({
    decode: createRecordDecoder({
      format: "auto",
      avro: createAvroEnvelopeDecoder({ url: stackEnv().schemaRegistryUrl }),
    }),
    store,
    mapping: options.mapping ?? DEFAULT_COLUMN_MAPPING,
    logger,
    metrics,
  });
  const dlqTopic = `${options.topic}.dlq`;
  // Connect creates the topic with the snapshot's first record.
  await admin.connect();
  await waitFor(() => admin.describeTopics([options.topic]), {
    timeoutMs: 60_000,
    description: `topic ${options.topic}`,
  });
  const consumer = createMerchantCdcConsumer({
    kafka,
    admin,
    topic: options.topic,
    dlqTopic,
    groupId: uniqueName("cdc_sync"),
    handle,
    logger,
    retryBackoffMs: { initial: 200, max: 2_000 },
  });
  await consumer.start();
  await waitFor(() => consumer.isRunning(), { timeoutMs: 60_000, description: "cdc-sync consumer running" });
  return {
    kafka,
    admin,
    lines,
    registry,
    store,
    dlqTopic,
    /** The number of events counted with this op and outcome. */
    async count(op: string, outcome: string): Promise<number> {
      const metric = await registry.getSingleMetric("invoice_cdc_events_total")?.get();
      return metric?.values.find((v) => v.labels.op === op && v.labels.outcome === outcome)?.value ?? 0;
    },
    async stop() {
      await consumer.stop();
      await admin.disconnect();
    },
  };
}

export type CdcSync = Awaited<ReturnType<typeof startCdcSync>>;

/** Reads every record of a topic from the beginning until `until` holds (a fresh group each call). */
export async function readTopic(
  kafka: KafkaClient,
  topic: string,
  until: (records: IncomingRecord[]) => boolean,
): Promise<IncomingRecord[]> {
  const records: IncomingRecord[] = [];
  const consumer = kafka.consumer({ groupId: uniqueName("reader") });
  await consumer.connect();
  await consumer.subscribe([topic], { fromBeginning: true });
  await consumer.run({
    eachBatch: async (batch) => {
      records.push(...batch.records);
    },
  });
  try {
    await waitFor(() => until(records), { timeoutMs: 60_000, description: `records on ${topic}` });
  } finally {
    await consumer.disconnect();
  }
  return records;
}

export interface TaxInfoView {
  merchantId: string;
  taxCode: string;
  taxCodeValid: boolean;
  taxCodeIssue: string | null;
  legalName: string;
  address: string;
  sourceLsn: string;
  deletedAt: Date | null;
  updatedAt: Date;
}

export async function taxInfo(db: InvoiceDatabase, merchantId: string): Promise<TaxInfoView | undefined> {
  const { rows } = await db.sql.query<TaxInfoView>(
    `SELECT "merchantId", "taxCode", "taxCodeValid", "taxCodeIssue", "legalName", "address",
            "sourceLsn"::text AS "sourceLsn", "deletedAt", "updatedAt" FROM "TaxInfo" WHERE "merchantId" = $1`,
    [merchantId],
  );
  return rows[0];
}

export async function createProfile(db: InvoiceDatabase, merchantId: string) {
  await db.sql.query(
    `INSERT INTO "MerchantProfile" ("merchantId", "metadata", "claimWindowSeconds", "provider", "updatedAt")
     VALUES ($1, '{"theme":"dark"}', 0, 'simulator', now())`,
    [merchantId],
  );
}

export async function metadata(db: InvoiceDatabase, merchantId: string): Promise<Record<string, unknown>> {
  const { rows } = await db.sql.query<{ metadata: Record<string, unknown> }>(
    `SELECT "metadata" FROM "MerchantProfile" WHERE "merchantId" = $1`,
    [merchantId],
  );
  return rows[0]?.metadata ?? {};
}
