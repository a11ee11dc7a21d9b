/**
 * The chaos harness: one isolated world per run — a database of its own (migrated and seeded), topics
 * and a consumer group of its own on the shared broker (or a private one), our own provider simulator
 * behind a fault proxy, and the real issuer (services/issuer/src/main.ts, worker mode) as child
 * processes that scenarios kill and restart. It produces a steady workload of paid orders as Avro onto
 * the run's invoice.issuance, and ends with the same checks every time (checks.ts).
 *
 * Never touches the shared Kafka, PostgreSQL or Redis beyond creating and deleting its own names.
 */
import { randomBytes, randomUUID } from "node:crypto";
import { mkdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TempDatabase } from "@invoice/db/testing";
import { createTempDatabase } from "@invoice/db/testing";
import type { ExternalIssuanceEvent } from "@invoice/domain";
import {
  type AvroCodec,
  type Consumer,
  createAvroCodec,
  createKafkaJsClient,
  type IncomingRecord,
  type KafkaClient,
  type Producer,
  silentLogger,
} from "@invoice/kafka";
import {
  API_PREFIX,
  type RunningSimulator,
  type SimulatorConfigInput,
  startSimulator,
} from "@invoice/provider-simulator";
import { issuanceEventToWire, loadSchema, valueSubject } from "@invoice/schemas";
import { type ServiceProcess, stackEnv, startServiceProcess, uniqueName, waitFor } from "@invoice/testing";
import { type FaultProxy, startFaultProxy } from "./fault-proxy.ts";

const CONTENT_TYPE = "application/avro; wire-format=confluent; schema=vn.invoice.issuance.IssuanceEvent";
/** The development seller the issuer uses for merchants without a profile (outside production). */
export const SELLER_TAX_CODE = "0100109106";

export interface ChaosTopics {
  issuance: string;
  retry: string;
  dlq: string;
  events: string;
}

export interface IssuerInstance {
  name: string;
  proc: ServiceProcess;
  /** SIGKILL: no shutdown hooks, in-flight work and uncommitted offsets are simply gone. */
  kill(): Promise<void>;
  /** SIGTERM: the graceful path. */
  stop(): Promise<void>;
  alive(): boolean;
}

export interface ChaosWorldOptions {
  /** Brokers of a private cluster (Kafka restart scenario); default the shared stack's. */
  brokers?: string[];
  /** A private PostgreSQL server (PostgreSQL restart scenario); default the shared stack's. */
  databaseServerUrl?: string;
  simulator?: SimulatorConfigInput;
  /** Extra issuer environment, for every instance started. */
  issuerEnv?: Record<string, string>;
  partitions?: number;
}

export interface ChaosWorld {
  runId: string;
  merchantId: string;
  topics: ChaosTopics;
  groupId: string;
  database: TempDatabase;
  brokers: string[];
  sim: RunningSimulator;
  proxy: FaultProxy;
  kafka: KafkaClient;
  codec: AvroCodec;
  /** Orders produced so far (each should end invoiced exactly once unless listed in `poison`). */
  orders: string[];
  /** Poison records produced (their keys). */
  poison: string[];
  startIssuer(env?: Record<string, string>): Promise<IssuerInstance>;
  issuers: IssuerInstance[];
  produceOrders(count: number): Promise<string[]>;
  producePoison(count: number): Promise<string[]>;
  /** Produces `perSecond` orders a second in the background until the returned stop() is awaited. */
  steadyWorkload(perSecond: number): { stop(): Promise<void> };
  /** Where close() writes each issuer's logs (stdout JSON lines and stderr). */
  logDir: string;
  /** Records on a topic of the run, from the beginning (a fresh group each call). */
  readTopic(topic: string, expectAtLeast?: number, timeoutMs?: number): Promise<IncomingRecord[]>;
  close(): Promise<void>;
}

let workerSeq = 0;
const ISSUER_START_TIMEOUT_MS = 180_000;

export async function createChaosWorld(options: ChaosWorldOptions = {}): Promise<ChaosWorld> {
  const stack = stackEnv();
  const brokers = options.brokers ?? stack.kafkaBrokers;
  const runId = uniqueName("chaos");
  const merchantId = `M-${runId}`.slice(0, 64);
  const topics: ChaosTopics = {
    issuance: `${runId}.invoice.issuance`,
    retry: `${runId}.invoice.issuance.retry`,
    dlq: `${runId}.invoice.issuance.dlq`,
    events: `${runId}.invoice.events`,
  };
  const partitions = options.partitions ?? 3;
  const groupId = `${runId}-issuer`;
  const kafka = createKafkaJsClient({ brokers, clientId: runId, logger: silentLogger });
  const admin = kafka.admin();
  await admin.connect();
  await admin.ensureTopics(Object.values(topics).map((topic) => ({ topic, partitions })));
  await admin.disconnect();

  const database = await createTempDatabase("chaos", {
    migrate: true,
    seed: true,
    ...(options.databaseServerUrl ? { serverUrl: options.databaseServerUrl } : {}),
  });
  const sim = await startSimulator({ port: 0, config: options.simulator ?? {} });
  const proxy = await startFaultProxy(sim.url);
  const codec = createAvroCodec({ url: stack.schemaRegistryUrl });
  const schemaId = await codec.register(valueSubject(topics.issuance), loadSchema("issuance-event"), {
    compatibility: "BACKWARD",
  });
  const producer: Producer = kafka.producer({ idempotent: true });
  await producer.connect();
  const credentialsKey = randomBytes(32).toString("hex");
  const issuers: IssuerInstance[] = [];
  const orders: string[] = [];
  const poison: string[] = [];
  let orderSeq = 0;
  const workloads: Array<{ stop(): Promise<void> }> = [];
  const logDir = join(tmpdir(), "invoice-chaos", runId);

  const issuerEnv = (extra: Record<string, string>): Record<string, string> => ({
    KAFKA_BROKERS: brokers.join(","),
    SCHEMA_REGISTRY_URL: stack.schemaRegistryUrl,
    REDIS_URL: stack.redisUrl,
    DATABASE_URL: database.url,
    PORT: "0",
    APP_ENV_INVOICE_WORKER_ID: String(100 + (workerSeq++ % 800)),
    APP_ENV_INVOICE_CREDENTIALS_KEY: credentialsKey,
    APP_ENV_INVOICE_SERVICE_CODE: `CHAOS-${runId.slice(-8).toUpperCase()}`,
    SHUTDOWN_GRACE_MS: "10000",
    LOG_LEVEL: "info",
    ISSUER_PROVIDER_BASE_URL: `${proxy.url}${API_PREFIX}`,
    ISSUER_ISSUANCE_TOPIC: topics.issuance,
    ISSUER_RETRY_TOPIC: topics.retry,
    ISSUER_DLQ_TOPIC: topics.dlq,
    ISSUER_EVENTS_TOPIC: topics.events,
    ISSUER_GROUP_ID: groupId,
    ISSUER_FROM_BEGINNING: "true",
    // Orders without buyer info are issued to the anonymous buyer at once (no claim window).
    ISSUER_DEFAULT_CLAIM_WINDOW_MS: "0",
    ISSUER_RETRY_BASE_MS: "200",
    ISSUER_RETRY_MAX_MS: "2000",
    ISSUER_MAX_SEND_RETRIES: "50",
    ISSUER_SEND_LEASE_MS: "8000",
    // A busy shared machine: wait for a pooled connection instead of failing after 5 s, and keep the
    // work in flight small (correctness is under test here, not throughput).
    DATABASE_CONNECT_TIMEOUT_MS: "30000",
    ISSUER_MAX_IN_FLIGHT: "100",
    ...options.issuerEnv,
    ...extra,
  });

  async function startIssuer(env: Record<string, string> = {}): Promise<IssuerInstance> {
    const name = `issuer-${issuers.length + 1}`;
    const proc = startServiceProcess("issuer", ["worker"], issuerEnv(env));
    let exited = false;
    void proc.exited.then(() => {
      exited = true;
    });
    const instance: IssuerInstance = {
      name,
      proc,
      alive: () => !exited,
      async kill() {
        if (!exited) proc.child.kill("SIGKILL");
        await proc.exited;
      },
      async stop() {
        await proc.stop("SIGTERM");
      },
    };
    issuers.push(instance);
    // The issuer says it started once it has joined its group; with a SIGKILLed member still in it,
    // the join waits for that member's session (30 s) and the rebalance, on a loaded 2-core machine.
    await proc.port(ISSUER_START_TIMEOUT_MS);
    return instance;
  }

  function paidOrder(orderId: string): ExternalIssuanceEvent {
    const now = Date.now();
    const n = orderSeq;
    const quantity = 1 + (n % 3);
    const unitPriceVnd = 100_000 + (n % 7) * 10_000;
    const amount = quantity * unitPriceVnd;
    return {
      eventId: `${orderId}:paid`,
      orderId,
      merchantId,
      occurredAt: now,
      type: "PaymentSucceeded",
      payload: {
        paymentId: `P-${orderId}`,
        amountVnd: amount + Math.round(amount * 0.1),
        paidAt: now,
        lines: [
          {
            sku: `SKU-${n % 5}`,
            name: "Cà phê sữa đá",
            unit: "ly",
            quantity: String(quantity),
            unitPriceVnd,
            vatCategory: "VAT10",
          },
        ],
        // Every other order carries company buyer info from checkout; the others go anonymous.
        ...(n % 2 === 0
          ? {
              buyer: {
                kind: "company" as const,
                name: "Công ty TNHH Hóa Đơn Việt",
                taxCode: "0100109106",
                address: "Số 1 Tràng Tiền, Hà Nội",
                email: "ketoan@example.vn",
              },
            }
          : {}),
      },
    };
  }

  async function produceOrders(count: number): Promise<string[]> {
    const batch: { key: string; value: Buffer; headers: Record<string, string> }[] = [];
    const ids: string[] = [];
    for (let i = 0; i < count; i++) {
      orderSeq++;
      const orderId = `O-${runId.slice(-14)}-${orderSeq}`;
      const event = paidOrder(orderId);
      const wire = issuanceEventToWire(event, { source: "chaos/workload", correlationId: runId });
      if (!wire.ok) throw wire.error;
      batch.push({
        key: orderId,
        value: await codec.encode(schemaId, wire.value),
        headers: { eventId: event.eventId, "content-type": CONTENT_TYPE },
      });
      ids.push(orderId);
    }
    await producer.send(topics.issuance, batch);
    orders.push(...ids);
    return ids;
  }

  /** Records that cannot be used: garbage bytes, an unknown schema id, a truncated Avro body. */
  async function producePoison(count: number): Promise<string[]> {
    const keys: string[] = [];
    const records = [];
    for (let i = 0; i < count; i++) {
      const key = `POISON-${runId.slice(-14)}-${poison.length + i + 1}`;
      let value: Buffer;
      if (i % 3 === 0) value = Buffer.from(`not avro ${randomUUID()}`);
      else if (i % 3 === 1)
        value = Buffer.concat([Buffer.from([0, 0x7f, 0xff, 0xff, 0xf0]), randomBytes(24)]);
      else {
        const header = Buffer.alloc(5);
        header.writeUInt32BE(schemaId, 1);
        value = Buffer.concat([header, Buffer.from([0x08, 0x41])]);
      }
      records.push({ key, value, headers: { eventId: `${key}:poison`, "content-type": CONTENT_TYPE } });
      keys.push(key);
    }
    await producer.send(topics.issuance, records);
    poison.push(...keys);
    return keys;
  }

  function steadyWorkload(perSecond: number) {
    let running = true;
    const loop = (async () => {
      const tickMs = 250;
      const perTick = Math.max(1, Math.round((perSecond * tickMs) / 1000));
      while (running) {
        const started = Date.now();
        try {
          await produceOrders(perTick);
        } catch {
          // Broker unavailable (a broker scenario pauses the workload itself): try again next tick.
        }
        const wait = tickMs - (Date.now() - started);
        // Pacing: the rest of the tick keeps the workload at its rate; nothing is awaited.
        if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      }
    })();
    const handle = {
      async stop() {
        running = false;
        await loop;
      },
    };
    workloads.push(handle);
    return handle;
  }

  async function endOffsetsTotal(topic: string): Promise<number> {
    const admin = kafka.admin();
    await admin.connect();
    try {
      const offsets = await admin.topicOffsets(topic);
      return offsets.reduce((sum, p) => sum + (Number(p.high) - Number(p.low)), 0);
    } finally {
      await admin.disconnect();
    }
  }

  /**
   * Reads the topic from the beginning until it holds `expectAtLeast` records, or, once the deadline
   * passes, returns what it read if that is everything on the topic (fewer records than expected is
   * then the finding, and the caller's checks name what is missing); throws only when records on the
   * topic could not be read in time.
   */
  async function readTopic(topic: string, expectAtLeast = 0, timeoutMs = 30_000): Promise<IncomingRecord[]> {
    const records: IncomingRecord[] = [];
    let total = await endOffsetsTotal(topic);
    if (total === 0 && expectAtLeast === 0) return records;
    const consumer: Consumer = kafka.consumer({ groupId: uniqueName("chaos-read"), maxWaitTimeMs: 250 });
    await consumer.connect();
    await consumer.subscribe([topic], { fromBeginning: true });
    await consumer.run({
      partitionsConsumedConcurrently: 3,
      eachBatch: async (batch) => {
        records.push(...batch.records);
      },
    });
    try {
      await waitFor(() => records.length >= Math.max(total, expectAtLeast), {
        timeoutMs,
        description: `${Math.max(total, expectAtLeast)} records on ${topic}`,
      }).catch(async (error: unknown) => {
        total = await endOffsetsTotal(topic);
        if (records.length < total) throw error;
      });
      return records;
    } finally {
      await consumer.disconnect();
    }
  }

  return {
    runId,
    merchantId,
    topics,
    groupId,
    database,
    brokers,
    sim,
    proxy,
    kafka,
    codec,
    orders,
    poison,
    issuers,
    startIssuer,
    produceOrders,
    producePoison,
    steadyWorkload,
    readTopic,
    logDir,
    async close() {
      await Promise.allSettled(workloads.map((w) => w.stop()));
      await Promise.allSettled(issuers.map((i) => i.kill()));
      mkdirSync(logDir, { recursive: true });
      for (const issuer of issuers) {
        const lines = issuer.proc.logs.map((l) => JSON.stringify(l)).join("\n");
        writeFileSync(join(logDir, `${issuer.name}.log`), `${lines}\n`);
        writeFileSync(join(logDir, `${issuer.name}.stderr`), issuer.proc.stderr());
      }
      await producer.disconnect().catch(() => undefined);
      const cleanup = kafka.admin();
      try {
        await cleanup.connect();
        await cleanup.deleteTopics(Object.values(topics));
        await cleanup.deleteGroups([groupId]).catch(() => undefined);
      } catch {
        // A private broker may already be gone.
      } finally {
        await cleanup.disconnect().catch(() => undefined);
      }
      await proxy.close();
      await sim.close();
      await database.drop();
    },
  };
}
