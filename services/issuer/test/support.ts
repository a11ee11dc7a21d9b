/**
 * Fixtures of the issuer's integration tests: the real main.ts as a child process against the shared
 * stack and the provider simulator, with a database, topics, consumer group and service code of its
 * own; a producer of issuance events; a collector of what it published; and the checks every test
 * ends with (database vs the simulator: one invoice per key at the provider, none missing).
 */
import { randomBytes, randomUUID } from "node:crypto";
import { createPrismaClient, type PrismaClient } from "@invoice/db";
import { createTempDatabase, type TempDatabase } from "@invoice/db/testing";
import type { BuyerInfo, ExternalIssuanceEvent } from "@invoice/domain";
import {
  createAvroCodec,
  createKafkaJsClient,
  type IncomingRecord,
  type KafkaClient,
  type Producer,
  silentLogger,
} from "@invoice/kafka";
import type { RunningSimulator } from "@invoice/provider-simulator";
import { issuanceEventToWire, loadSchema, valueSubject } from "@invoice/schemas";
import { type ServiceProcess, stackEnv, startServiceProcess, uniqueName, waitFor } from "@invoice/testing";

export const stack = stackEnv();
export const SIMULATOR_URL = process.env.PROVIDER_SIMULATOR_URL ?? "http://127.0.0.1:31150";
export const SELLER_TAX_CODE = "0100109106";
const codec = createAvroCodec({ url: stack.schemaRegistryUrl });

export interface Topics {
  issuance: string;
  retry: string;
  dlq: string;
  events: string;
}

export interface CollectedEvent {
  record: IncomingRecord;
  value: Record<string, unknown>;
}

export interface IssuerFixture {
  /** The test's own simulator, when it started one (faults stay its own). */
  simulator: RunningSimulator | undefined;
  topics: Topics;
  database: TempDatabase;
  db: PrismaClient;
  proc: ServiceProcess;
  events: CollectedEvent[];
  dlq: IncomingRecord[];
  send(event: ExternalIssuanceEvent, headers?: Record<string, string>): Promise<void>;
  sendRaw(key: string, value: Buffer, headers?: Record<string, string>): Promise<void>;
  logs(msg: string): Array<Record<string, unknown>>;
  stop(): Promise<void>;
}

function kafkaClient(): KafkaClient {
  return createKafkaJsClient({
    brokers: stack.kafkaBrokers,
    clientId: uniqueName("issuer-it"),
    logger: silentLogger,
  });
}

async function collect(client: KafkaClient, topic: string, into: (record: IncomingRecord) => Promise<void>) {
  const consumer = client.consumer({ groupId: uniqueName("issuer-it-collect") });
  await consumer.connect();
  await consumer.subscribe([topic], { fromBeginning: true });
  await consumer.run({
    eachBatch: async (batch) => {
      for (const record of batch.records) await into(record);
    },
  });
  return consumer;
}

/** Starts the issuer with `env` on top of the test defaults (short leases and backoffs). */
export async function startIssuer(
  env: Record<string, string> = {},
  simulator?: RunningSimulator,
): Promise<IssuerFixture> {
  const database = await createTempDatabase("issuer_it", { migrate: true });
  const db = createPrismaClient({ databaseUrl: database.url, maxConnections: 2 });
  const topics: Topics = {
    issuance: uniqueName("it.invoice.issuance"),
    retry: uniqueName("it.invoice.issuance.retry"),
    dlq: uniqueName("it.invoice.issuance.dlq"),
    events: uniqueName("it.invoice.events"),
  };
  const client = kafkaClient();
  const admin = client.admin();
  await admin.connect();
  await admin.ensureTopics(Object.values(topics).map((topic) => ({ topic, partitions: 3 })));
  const producer: Producer = client.producer();
  await producer.connect();
  const schemaId = await codec.register(valueSubject(topics.issuance), loadSchema("issuance-event"));
  const events: CollectedEvent[] = [];
  const dlq: IncomingRecord[] = [];
  const eventsConsumer = await collect(client, topics.events, async (record) => {
    const decoded = await codec.decode<Record<string, unknown>>(record.value as Buffer);
    events.push({ record, value: decoded.value });
  });
  const dlqConsumer = await collect(client, topics.dlq, async (record) => {
    dlq.push(record);
  });
  const serviceCode = uniqueName("IT-ISSUER").replaceAll("_", "-").toUpperCase();
  const proc = startServiceProcess("issuer", ["worker"], {
    KAFKA_BROKERS: stack.kafkaBrokers.join(","),
    SCHEMA_REGISTRY_URL: stack.schemaRegistryUrl,
    DATABASE_URL: database.url,
    PORT: "0",
    LOG_LEVEL: "info",
    APP_ENV_INVOICE_SERVICE_CODE: serviceCode,
    APP_ENV_INVOICE_CREDENTIALS_KEY: randomBytes(32).toString("hex"),
    ISSUER_PROVIDER_BASE_URL: simulator?.baseUrl ?? `${SIMULATOR_URL}/services/einvoiceapplication/api`,
    ISSUER_ISSUANCE_TOPIC: topics.issuance,
    ISSUER_RETRY_TOPIC: topics.retry,
    ISSUER_DLQ_TOPIC: topics.dlq,
    ISSUER_EVENTS_TOPIC: topics.events,
    ISSUER_GROUP_ID: uniqueName("issuer-it"),
    ISSUER_FROM_BEGINNING: "true",
    ISSUER_RETRY_BASE_MS: "200",
    ISSUER_RETRY_MAX_MS: "1000",
    ISSUER_MAX_SEND_RETRIES: "3",
    ...env,
  });
  await proc.port();
  return {
    simulator,
    topics,
    database,
    db,
    proc,
    events,
    dlq,
    async send(event, headers = {}) {
      const wire = issuanceEventToWire(event, { source: "issuer-it", correlationId: null });
      if (!wire.ok) throw wire.error;
      const value = await codec.encode(schemaId, wire.value);
      await producer.send(topics.issuance, [
        { key: event.orderId, value, headers: { eventId: event.eventId, ...headers } },
      ]);
    },
    async sendRaw(key, value, headers = {}) {
      await producer.send(topics.issuance, [{ key, value, headers }]);
    },
    logs: (msg) => proc.logs.filter((l) => l.msg === msg),
    async stop() {
      await proc.stop();
      if (process.env.ISSUER_IT_LOG_FILE) {
        const { appendFileSync } = await import("node:fs");
        appendFileSync(process.env.ISSUER_IT_LOG_FILE, proc.logs.map((l) => JSON.stringify(l)).join("\n"));
      }
      await eventsConsumer.disconnect().catch(() => undefined);
      await dlqConsumer.disconnect().catch(() => undefined);
      await producer.disconnect().catch(() => undefined);
      await admin.deleteTopics(Object.values(topics)).catch(() => undefined);
      await admin.disconnect().catch(() => undefined);
      await db.$disconnect().catch(() => undefined);
      await database.drop().catch(() => undefined);
    },
  };
}

// ----- events -------------------------------------------------------------------------------------

export const uniqueOrder = () => `IT-ORD-${randomUUID()}`;
export const uniqueMerchant = () => `IT-M-${randomUUID().slice(0, 8)}`;

const LINES = [
  {
    name: "Áo thun cotton",
    sku: "AT-01",
    unit: "cái",
    quantity: 2,
    unitPriceVnd: 150_000,
    vatCategory: "VAT10" as const,
  },
];
/** 300,000 before VAT at 10 %. */
export const AMOUNT_VND = 330_000;

export const COMPANY_BUYER: BuyerInfo = {
  kind: "company",
  name: "Công ty TNHH Sữa Việt",
  taxCode: "0300588569",
  address: "10 Tân Trào, Phường Tân Phú, TP. Hồ Chí Minh",
};

export const INDIVIDUAL_BUYER: BuyerInfo = {
  kind: "individual",
  name: "Nguyễn Văn An",
  address: "5 Lê Lợi, Phường Bến Thành, TP. Hồ Chí Minh",
};

export function payment(
  order: { orderId: string; merchantId: string },
  options: { buyer?: BuyerInfo; paidAt?: number; paymentId?: string; eventId?: string } = {},
): ExternalIssuanceEvent {
  const paidAt = options.paidAt ?? Date.now() - 1_000;
  return {
    eventId: options.eventId ?? `pay-${randomUUID()}`,
    ...order,
    occurredAt: paidAt,
    type: "PaymentSucceeded",
    payload: {
      paymentId: options.paymentId ?? `p-${order.orderId}`,
      amountVnd: AMOUNT_VND,
      paidAt,
      lines: LINES,
      ...(options.buyer ? { buyer: options.buyer } : {}),
    },
  };
}

export function invoiceRequest(
  order: { orderId: string; merchantId: string },
  buyer: BuyerInfo = COMPANY_BUYER,
  occurredAt = Date.now() - 2_000,
): ExternalIssuanceEvent {
  return {
    eventId: `req-${randomUUID()}`,
    ...order,
    occurredAt,
    type: "InvoiceRequested",
    payload: { buyer, channel: "checkout" },
  } as ExternalIssuanceEvent;
}

export function refund(
  order: { orderId: string; merchantId: string },
  amountVnd: number,
  full: boolean,
): ExternalIssuanceEvent {
  const at = Date.now();
  return {
    eventId: `ref-${randomUUID()}`,
    ...order,
    occurredAt: at,
    type: "PaymentRefunded",
    payload: { refundId: `r-${randomUUID()}`, amountVnd, full },
  } as ExternalIssuanceEvent;
}

// ----- the simulator ------------------------------------------------------------------------------

export async function simulatorInvoices(fixture: IssuerFixture, transactionUuid: string): Promise<unknown[]> {
  if (fixture.simulator) return fixture.simulator.invoices(SELLER_TAX_CODE, transactionUuid);
  const response = await fetch(
    `${SIMULATOR_URL}/admin/invoices?supplierTaxCode=${SELLER_TAX_CODE}&transactionUuid=${transactionUuid}`,
  );
  const body = (await response.json()) as { invoices?: unknown[] } | unknown[];
  return Array.isArray(body) ? body : (body.invoices ?? []);
}

export const eventsOf = (fixture: IssuerFixture, orderId: string, type?: string) =>
  fixture.events.filter((e) => e.value.orderId === orderId && (type === undefined || e.value.type === type));

export const waitForEvent = (fixture: IssuerFixture, orderId: string, type: string, timeoutMs = 60_000) =>
  waitFor(() => eventsOf(fixture, orderId, type)[0], { timeoutMs, description: `${type} for ${orderId}` });

/**
 * Every test ends here: each invoice row the order has exists exactly once at the provider if we call
 * it issued, and not at all if we call it failed before any send; no key issued twice.
 */
export async function expectDbMatchesProvider(fixture: IssuerFixture, orderId: string): Promise<void> {
  const rows = await fixture.db.invoice.findMany({ where: { orderId } });
  for (const row of rows) {
    const held = await simulatorInvoices(fixture, row.transactionUuid);
    if (held.length > 1)
      throw new Error(`transactionUuid ${row.transactionUuid} issued ${held.length} times`);
    if ((row.status === "ISSUED" || row.status === "REPLACED") && held.length !== 1) {
      throw new Error(
        `invoice ${row.transactionUuid} is ${row.status} in our DB but the provider holds ${held.length}`,
      );
    }
  }
}
