// `pnpm bench issuer [--latency-ms 200] [--orders N] [--naive-orders K] [--instances 1|2|3]
//                    [--backlog B] [--partitions P] [--pg-limit true|false] [--paced-per-s R]
//
// Loads paid orders (Avro PaymentSucceeded with the buyer's company details, mapped and encoded by
// @invoice/schemas and the registry codec) onto private issuance topics and measures, in one run:
// (a) our issuer end to end — services/issuer/src/main.ts as child process(es) in worker mode, one
//     consumer group — from the payment event produced to its InvoiceIssued read back from the events
//     topic: throughput with N orders produced at once, then p50/p99 with orders paced at half that rate
//     (or at --paced-per-s R, recorded as `paced_target_per_s`);
// (b) a naive baseline in this process: one record at a time per partition (decode, build the document,
//     the same SInvoice adapter against the same simulator, the four rows in one transaction, publish
//     InvoiceIssued, commit the offset), on K orders of the same shape;
// (c) the batched PostgreSQL limit for the same rows (bench/limits.bench.ts), for the ~1 ms target.
// The provider simulator is a private instance (packages/provider-simulator's CLI) on a free port with
// a fixed latency; its /admin/report gives the duplicates. `--backlog B` instead preloads B orders,
// then starts the issuer(s) and reports the drain time and the issuers' peak RSS.
// Last line: one JSON object (docs/performance.md).
import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes, randomUUID } from "node:crypto";
import { appendFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { createTempDatabase } from "@invoice/db/testing";
import {
  buildInvoiceDocument,
  type ExternalIssuanceEvent,
  type InvoiceEvent,
  invoiceTransactionUuid,
  vietnamDateOf,
} from "@invoice/domain";
import {
  type AvroCodec,
  createAvroCodec,
  createKafkaJsClient,
  type IncomingRecord,
  type KafkaClient,
  silentLogger,
} from "@invoice/kafka";
import { SInvoiceAdapter } from "@invoice/provider";
import {
  type IssuanceEventAvro,
  invoiceEventToWire,
  issuanceEventFromWire,
  issuanceEventToWire,
  loadSchema,
  valueSubject,
} from "@invoice/schemas";
import { freePort, stackEnv, uniqueName, waitFor } from "@invoice/testing";
import pg from "pg";
import { pgIssuerRowsRate } from "./limits.bench.ts";
import { insertIssuerRows, issuerRows } from "./support/issuer-rows.ts";
import { watchPeakRss } from "./support/process-stats.ts";

const { values } = parseArgs({
  options: {
    "latency-ms": { type: "string", default: "200" },
    orders: { type: "string", default: "2000" },
    "naive-orders": { type: "string" },
    instances: { type: "string", default: "1" },
    backlog: { type: "string" },
    partitions: { type: "string", default: "3" },
    "pg-limit": { type: "string", default: "true" },
    "latency-seconds": { type: "string", default: "10" },
    /** The paced phase's rate instead of half the measured one (the latency floor at a low rate). */
    "paced-per-s": { type: "string" },
    /** Parts of the comparison to run (development): naive, ours. */
    parts: { type: "string", default: "naive,ours" },
  },
});
const LATENCY_MS = Number(values["latency-ms"]);
const ORDERS = Number(values.orders);
const PARTITIONS = Number(values.partitions);
const INSTANCES = Number(values.instances);
const BACKLOG = values.backlog === undefined ? undefined : Number(values.backlog);
const PACED_TARGET = values["paced-per-s"] === undefined ? undefined : Number(values["paced-per-s"]);
if (PACED_TARGET !== undefined && !(Number.isFinite(PACED_TARGET) && PACED_TARGET >= 1)) {
  throw new Error(
    `--paced-per-s must be a rate of at least 1 order per second, got "${values["paced-per-s"]}"`,
  );
}
// The naive consumer does P orders per provider latency: a few hundred orders give its steady rate.
const NAIVE_ORDERS = Math.min(
  ORDERS,
  values["naive-orders"]
    ? Number(values["naive-orders"])
    : Math.max(60, Math.ceil((30 * PARTITIONS * 1000) / Math.max(LATENCY_MS, 5))),
);
const stack = stackEnv();
const REPO_ROOT = fileURLToPath(new URL("../", import.meta.url));
const RUN = randomUUID().slice(0, 8);
const SELLER = {
  name: "Công ty Cổ phần Thương mại Sông Hồng",
  taxCode: "0100109106",
  address: "Số 1 Giang Văn Minh, Phường Ba Đình, Hà Nội",
};
const CREDENTIALS = { username: "0100109106-509", password: "simulator-password" };
const BUYER = {
  kind: "company" as const,
  name: "Công ty TNHH Sữa Việt",
  taxCode: "0300588569",
  address: "10 Tân Trào, Phường Tân Phú, TP. Hồ Chí Minh",
  email: "ketoan@example.vn",
};
const LINES = [
  {
    sku: "SKU-1",
    name: "Áo thun cotton",
    quantity: "2",
    unitPriceVnd: 150_000,
    vatCategory: "VAT10" as const,
  },
];
const AMOUNT_VND = 330_000;
const log = (msg: string) => console.error(`[bench issuer] ${msg}`);
const codec: AvroCodec = createAvroCodec({ url: stack.schemaRegistryUrl });

// ---------------------------------------------------------------- the provider simulator (private)

interface Simulator {
  url: string;
  baseUrl: string;
  report(): Promise<{ issued: number; distinctKeys: number; duplicateKeys: number }>;
  stop(): Promise<void>;
}

async function startSimulator(latencyMs: number): Promise<Simulator> {
  const port = await freePort();
  const config = join(tmpdir(), `bench-sim-${RUN}.json`);
  writeFileSync(config, JSON.stringify({ latency: { kind: "fixed", ms: latencyMs } }));
  const child: ChildProcess = spawn(
    process.execPath,
    [
      "--import",
      "tsx",
      "packages/provider-simulator/src/simulator.cli.ts",
      "--port",
      String(port),
      "--config",
      config,
    ],
    { cwd: REPO_ROOT, stdio: ["ignore", "pipe", "inherit"] },
  );
  let out = "";
  child.stdout?.setEncoding("utf8").on("data", (chunk: string) => {
    if (out.length < 10_000) out += chunk;
  });
  const url = `http://127.0.0.1:${port}`;
  await waitFor(() => out.includes("provider simulator listening"), {
    timeoutMs: 60_000,
    description: "the provider simulator to listen",
  });
  return {
    url,
    baseUrl: `${url}/services/einvoiceapplication/api`,
    report: async () =>
      (await (await fetch(`${url}/admin/report`)).json()) as Awaited<ReturnType<Simulator["report"]>>,
    stop: async () => {
      const exited = new Promise((resolve) => child.once("exit", resolve));
      child.kill("SIGTERM");
      await exited;
    },
  };
}

// ---------------------------------------------------------------- orders and topics
function paidOrder(merchantId: string, orderId: string): ExternalIssuanceEvent {
  const paidAt = Date.now() - 1_000;
  return {
    eventId: `pay-${orderId}`,
    orderId,
    merchantId,
    occurredAt: paidAt,
    type: "PaymentSucceeded",
    payload: { paymentId: `p-${orderId}`, amountVnd: AMOUNT_VND, paidAt, lines: LINES, buyer: BUYER },
  };
}

interface Topics {
  issuance: string;
  retry: string;
  dlq: string;
  events: string;
}

function kafkaClient(): KafkaClient {
  return createKafkaJsClient({
    brokers: stack.kafkaBrokers,
    clientId: uniqueName("bench_issuer"),
    logger: silentLogger,
  });
}

async function createTopics(client: KafkaClient, prefix: string): Promise<Topics> {
  const topics: Topics = {
    issuance: uniqueName(`${prefix}.issuance`),
    retry: uniqueName(`${prefix}.issuance.retry`),
    dlq: uniqueName(`${prefix}.issuance.dlq`),
    events: uniqueName(`${prefix}.events`),
  };
  const admin = client.admin();
  await admin.connect();
  await admin.ensureTopics(Object.values(topics).map((topic) => ({ topic, partitions: PARTITIONS })));
  await admin.disconnect();
  return topics;
}

async function deleteTopics(client: KafkaClient, topics: Topics): Promise<void> {
  const admin = client.admin();
  await admin.connect();
  await admin.deleteTopics(Object.values(topics)).catch(() => undefined);
  await admin.disconnect();
}

/** Encodes and sends orders; `sentAt` gets each order's send time (just before its produce call). */
async function produceOrders(
  client: KafkaClient,
  topic: string,
  orders: ExternalIssuanceEvent[],
  sentAt?: Map<string, number>,
): Promise<void> {
  const schemaId = await codec.register(valueSubject(topic), loadSchema("issuance-event"));
  const producer = client.producer();
  await producer.connect();
  try {
    for (let i = 0; i < orders.length; i += 1_000) {
      const chunk = orders.slice(i, i + 1_000);
      const records = await Promise.all(
        chunk.map(async (event) => {
          const wire = issuanceEventToWire(event, { source: "bench/issuer", correlationId: null });
          if (!wire.ok) throw wire.error;
          return {
            key: event.orderId,
            value: await codec.encode(schemaId, wire.value),
            headers: { eventId: event.eventId },
          };
        }),
      );
      const now = performance.now();
      for (const e of chunk) sentAt?.set(e.orderId, now);
      await producer.send(topic, records);
    }
  } finally {
    await producer.disconnect();
  }
}

/** Reads InvoiceIssued records of the events topic; `issued` maps orderId → arrival time. */
async function collectIssued(client: KafkaClient, topic: string) {
  const issued = new Map<string, number>();
  let other = 0;
  const consumer = client.consumer({ groupId: uniqueName("bench_issuer_collect") });
  await consumer.connect();
  await consumer.subscribe([topic], { fromBeginning: true });
  await consumer.run({
    partitionsConsumedConcurrently: PARTITIONS,
    eachBatch: async (batch) => {
      const now = performance.now();
      for (const record of batch.records) {
        const value = (await codec.decode<Record<string, unknown>>(record.value as Buffer)).value;
        if (value.type === "INVOICE_ISSUED" && typeof value.orderId === "string") {
          if (!issued.has(value.orderId)) issued.set(value.orderId, now);
        } else other += 1;
      }
    },
  });
  return { issued, others: () => other, stop: () => consumer.disconnect() };
}

// ---------------------------------------------------------------- our issuer (child processes)
interface IssuerProcess {
  child: ChildProcess;
  port: number;
  stderr(): string;
  exited: Promise<unknown>;
  /** Log lines at warn level or above so far. */
  warnings(): number;
}

/** services/issuer/src/main.ts in worker mode; logs at warn (stdout drained, not kept), a port of its own. */
async function spawnIssuer(env: Record<string, string>): Promise<IssuerProcess> {
  const port = await freePort();
  // The heap cap of the deployment (ops/k8s/issuer.yaml NODE_OPTIONS), BENCH_ISSUER_HEAP_MB to change it;
  // BENCH_ISSUER_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof": more node flags for the issuer(s).
  const heap = `--max-old-space-size=${process.env.BENCH_ISSUER_HEAP_MB ?? "160"}`;
  const nodeArgs = (process.env.BENCH_ISSUER_NODE_ARGS ?? "").split(" ").filter(Boolean);
  const args = [heap, ...nodeArgs, "--import", "tsx", "services/issuer/src/main.ts", "worker"];
  const child = spawn(process.execPath, args, {
    cwd: REPO_ROOT,
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", ...env, PORT: String(port) },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stderr = "";
  let warnings = 0;
  const counted = () => warnings;
  // BENCH_ISSUER_LOG=<file>: every warning and error line of the issuer(s), to see what they were.
  const logFile = process.env.BENCH_ISSUER_LOG;
  child.stdout?.setEncoding("utf8").on("data", (chunk: string) => {
    // Warnings and errors only; the first few are shown (a failing run says why).
    for (const line of chunk.split("\n")) {
      if (!line.trim()) continue;
      warnings += 1;
      if (logFile) appendFileSync(logFile, `${line}\n`);
      if (warnings <= 5) log(`issuer[${child.pid}]: ${line.slice(0, 500)}`);
    }
  });
  child.stderr?.setEncoding("utf8").on("data", (chunk: string) => {
    stderr = (stderr + chunk).slice(-4_000);
  });
  const exited = new Promise((resolve) => child.once("exit", resolve));
  return { child, port, stderr: () => stderr, exited, warnings: counted };
}

/** `BENCH_ISSUER_ENV_<NAME>=value` sets `<NAME>` for the issuer (DATABASE_POOL_MAX, ISSUER_MAX_IN_FLIGHT ...). */
function issuerEnvOverrides(): Record<string, string> {
  const prefix = "BENCH_ISSUER_ENV_";
  return Object.fromEntries(
    Object.entries(process.env)
      .filter(([k, v]) => k.startsWith(prefix) && v !== undefined)
      .map(([k, v]) => [k.slice(prefix.length), v as string]),
  );
}

async function startIssuers(count: number, topics: Topics, databaseUrl: string, providerBaseUrl: string) {
  const groupId = uniqueName("bench_issuer");
  const key = randomBytes(32).toString("hex");
  const procs: IssuerProcess[] = [];
  for (let i = 0; i < count; i += 1) {
    procs.push(
      await spawnIssuer({
        KAFKA_BROKERS: stack.kafkaBrokers.join(","),
        SCHEMA_REGISTRY_URL: stack.schemaRegistryUrl,
        DATABASE_URL: databaseUrl,
        LOG_LEVEL: "warn",
        APP_ENV_INVOICE_SERVICE_CODE: uniqueName("BENCH-ISSUER").replaceAll("_", "-").toUpperCase(),
        APP_ENV_INVOICE_CREDENTIALS_KEY: key,
        ISSUER_PROVIDER_BASE_URL: providerBaseUrl,
        ISSUER_PROVIDER_USERNAME: CREDENTIALS.username,
        ISSUER_PROVIDER_PASSWORD: CREDENTIALS.password,
        ISSUER_ISSUANCE_TOPIC: topics.issuance,
        ISSUER_RETRY_TOPIC: topics.retry,
        ISSUER_DLQ_TOPIC: topics.dlq,
        ISSUER_EVENTS_TOPIC: topics.events,
        ISSUER_GROUP_ID: groupId,
        ISSUER_FROM_BEGINNING: "true",
        ...issuerEnvOverrides(),
      }),
    );
  }
  let exited = false;
  for (const p of procs)
    void p.exited.then(() => {
      exited = true;
    });
  try {
    await Promise.all(
      procs.map((p) =>
        waitFor(
          async () => {
            if (exited) throw new Error(`an issuer exited before it was ready: ${p.stderr()}`);
            return (await fetch(`http://127.0.0.1:${p.port}/ready`).catch(() => undefined))?.ok === true;
          },
          { timeoutMs: 180_000, intervalMs: 250, description: "the issuer to be ready" },
        ),
      ),
    );
  } catch (error) {
    // A failed start leaves no issuer behind (they would keep consuming the machine).
    for (const p of procs) p.child.kill("SIGKILL");
    throw error;
  }
  const rss = procs.map((p) => watchPeakRss(p.child.pid ?? 0));
  let stopped: Promise<number> | undefined;
  return {
    procs,
    peakRssMb: () => Math.max(...rss.map((r) => r.current())),
    warnings: () => procs.reduce((sum, p) => sum + p.warnings(), 0),
    stop: () => {
      stopped ??= (async () => {
        const peak = Math.max(...rss.map((r) => r.stop()));
        for (const p of procs) p.child.kill("SIGTERM");
        await Promise.all(procs.map((p) => p.exited));
        return peak;
      })();
      return stopped;
    },
  };
}

/** The largest value (Math.max(...values) overflows the call stack from about 120,000 values). */
function latestOf(values: Iterable<number>): number {
  let latest = Number.NEGATIVE_INFINITY;
  for (const value of values) if (value > latest) latest = value;
  return latest;
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;
}

interface OursResult {
  per_s: number;
  p50_ms: number;
  p99_ms: number;
  paced_per_s: number;
  paced_orders: number;
  peak_rss_mb: number;
  dlq_or_other: number;
  issuer_warnings: number;
}

async function runOurs(client: KafkaClient, sim: Simulator, databaseUrl: string): Promise<OursResult> {
  const topics = await createTopics(client, "bench.issuer");
  const merchantId = `bench-${RUN}-ours`;
  const collector = await collectIssued(client, topics.events);
  const issuers = await startIssuers(INSTANCES, topics, databaseUrl, sim.baseUrl);
  try {
    // Warm-up: the group has joined, the provider token and schema ids are cached.
    const warm = Array.from({ length: 10 * PARTITIONS }, (_v, i) => paidOrder(merchantId, `${RUN}-w-${i}`));
    await produceOrders(client, topics.issuance, warm);
    await waitFor(() => warm.every((o) => collector.issued.has(o.orderId)), {
      timeoutMs: 180_000,
      intervalMs: 50,
      description: "the warm-up orders issued",
    });
    log(`issuer(s) warm (${INSTANCES} instance(s))`);

    // Throughput: N orders produced at once, timed from the first send to the last InvoiceIssued.
    const orders = Array.from({ length: ORDERS }, (_v, i) => paidOrder(merchantId, `${RUN}-o-${i}`));
    const started = performance.now();
    await produceOrders(client, topics.issuance, orders);
    await waitFor(() => orders.every((o) => collector.issued.has(o.orderId)), {
      timeoutMs: 1_800_000,
      intervalMs: 50,
      description: "every order issued",
    });
    const last = latestOf(orders.map((o) => collector.issued.get(o.orderId) ?? 0));
    const perS = ORDERS / ((last - started) / 1000);
    log(`ours: ${ORDERS} orders in ${((last - started) / 1000).toFixed(1)} s = ${perS.toFixed(0)}/s`);

    // Latency at half that rate (or --paced-per-s): orders paced in 50 ms ticks for --latency-seconds
    // (at least 50 orders, so a rate under 5/s lasts longer).
    const rate = PACED_TARGET ?? perS / 2;
    const paced = Math.max(50, Math.min(ORDERS, Math.round(rate * Number(values["latency-seconds"]))));
    const pacedOrders = Array.from({ length: paced }, (_v, i) => paidOrder(merchantId, `${RUN}-p-${i}`));
    const sentAt = new Map<string, number>();
    let sent = 0;
    const producer = client.producer();
    await producer.connect();
    const schemaId = await codec.register(valueSubject(topics.issuance), loadSchema("issuance-event"));
    const encoded = await Promise.all(
      pacedOrders.map(async (event) => {
        const wire = issuanceEventToWire(event, { source: "bench/issuer", correlationId: null });
        if (!wire.ok) throw wire.error;
        return {
          key: event.orderId,
          value: await codec.encode(schemaId, wire.value),
          headers: { eventId: event.eventId },
        };
      }),
    );
    // The clock starts once every record is encoded: with it started before, the first tick sent all
    // the orders due during the encoding at once, a burst at the start of the paced phase.
    const pacedStart = performance.now();
    while (sent < paced) {
      const due = Math.min(paced, Math.floor(((performance.now() - pacedStart) / 1000) * rate) + 1);
      if (due > sent) {
        const now = performance.now();
        for (let i = sent; i < due; i += 1) sentAt.set(pacedOrders[i]?.orderId ?? "", now);
        const batch = encoded.slice(sent, due);
        sent = due;
        await producer.send(topics.issuance, batch);
      }
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    await producer.disconnect();
    await waitFor(() => pacedOrders.every((o) => collector.issued.has(o.orderId)), {
      timeoutMs: 600_000,
      intervalMs: 50,
      description: "every paced order issued",
    });
    const latencies = pacedOrders
      .map((o) => (collector.issued.get(o.orderId) ?? 0) - (sentAt.get(o.orderId) ?? 0))
      .sort((a, b) => a - b);
    const pacedSeconds = (performance.now() - pacedStart) / 1000;
    const peak = await issuers.stop();
    return {
      per_s: Math.round(perS),
      p50_ms: Math.round(percentile(latencies, 50)),
      p99_ms: Math.round(percentile(latencies, 99)),
      paced_per_s: Math.round(paced / pacedSeconds),
      paced_orders: paced,
      peak_rss_mb: peak,
      dlq_or_other: collector.others(),
      issuer_warnings: issuers.warnings(),
    };
  } finally {
    await issuers.stop().catch(() => undefined);
    await collector.stop().catch(() => undefined);
    await deleteTopics(client, topics);
  }
}

// ---------------------------------------------------------------- backlog mode
async function runBacklog(client: KafkaClient, sim: Simulator, databaseUrl: string, backlog: number) {
  const topics = await createTopics(client, "bench.issuer.backlog");
  const merchantId = `bench-${RUN}-backlog`;
  const orders = Array.from({ length: backlog }, (_v, i) => paidOrder(merchantId, `${RUN}-b-${i}`));
  const loadStarted = performance.now();
  await produceOrders(client, topics.issuance, orders);
  log(`backlog of ${backlog} loaded in ${((performance.now() - loadStarted) / 1000).toFixed(1)} s`);
  orders.length = 0;
  const collector = await collectIssued(client, topics.events);
  const started = performance.now();
  const issuers = await startIssuers(INSTANCES, topics, databaseUrl, sim.baseUrl);
  const ready = performance.now();
  const rssSamples: number[] = [];
  const sampler = setInterval(() => rssSamples.push(issuers.peakRssMb()), 5_000);
  try {
    await waitFor(() => collector.issued.size >= backlog, {
      timeoutMs: 3_600_000,
      intervalMs: 100,
      description: "the backlog drained",
    });
    const last = latestOf(collector.issued.values());
    const peak = await issuers.stop();
    return {
      drain_s: Math.round((last - ready) / 100) / 10,
      start_to_ready_s: Math.round((ready - started) / 100) / 10,
      per_s: Math.round(backlog / ((last - ready) / 1000)),
      peak_rss_mb: peak,
      peak_rss_samples_mb: rssSamples,
      issuer_warnings: issuers.warnings(),
    };
  } finally {
    clearInterval(sampler);
    await issuers.stop().catch(() => undefined);
    await collector.stop().catch(() => undefined);
    await deleteTopics(client, topics);
  }
}

// ---------------------------------------------------------------- the naive baseline (in this process)
async function runNaive(client: KafkaClient, sim: Simulator, databaseUrl: string, count: number) {
  const topics = await createTopics(client, "bench.naive");
  const merchantId = `bench-${RUN}-naive`;
  const orders = Array.from({ length: count }, (_v, i) => paidOrder(merchantId, `${RUN}-n-${i}`));
  await produceOrders(client, topics.issuance, orders);
  const collector = await collectIssued(client, topics.events);
  const adapter = new SInvoiceAdapter({ baseUrl: sim.baseUrl });
  const pool = new pg.Pool({
    connectionString: databaseUrl,
    max: PARTITIONS,
    options: "-c search_path=invoice",
  });
  const producer = client.producer();
  await producer.connect();
  const eventsSchemaId = await codec.register(valueSubject(topics.events), loadSchema("invoice-event"));
  const consumer = client.consumer({ groupId: uniqueName("bench_naive") });
  await consumer.connect();
  await consumer.subscribe([topics.issuance], { fromBeginning: true });
  let done = 0;
  let failed = 0;
  /** Row ids: taken before any await, so concurrent partitions never share one. */
  let seq = 0;
  const base = 7_100_000_000_000_000_000n;

  async function handle(record: IncomingRecord, n: number): Promise<void> {
    const decoded = await codec.decode<IssuanceEventAvro>(record.value as Buffer);
    const mapped = issuanceEventFromWire(decoded.value);
    if (!mapped.ok || mapped.value.event.type !== "PaymentSucceeded") throw new Error("not a payment");
    const event = mapped.value.event;
    const payment = event.payload;
    const transactionUuid = invoiceTransactionUuid(event.merchantId, event.orderId, 1);
    const invoiceDate = vietnamDateOf(payment.paidAt);
    const built = buildInvoiceDocument({
      orderId: event.orderId,
      merchantId: event.merchantId,
      transactionUuid,
      symbol: `1C${invoiceDate.slice(2, 4)}TAA`,
      invoiceDate,
      seller: SELLER,
      buyer: payment.buyer ?? { kind: "anonymous" },
      lines: payment.lines,
      expectedTotalVnd: payment.amountVnd,
    });
    if (!built.ok) throw new Error(`document: ${built.reason}`);
    const outcome = await adapter.issue({
      document: built.document,
      idempotencyKey: transactionUuid,
      attemptId: `${event.orderId}:1`,
      seller: { supplierTaxCode: SELLER.taxCode, templateCode: "1/001", credentials: CREDENTIALS },
    });
    if (outcome.kind !== "issued") throw new Error(`provider: ${outcome.kind}`);
    const rows = issuerRows(RUN, n, base, {
      merchantId: event.merchantId,
      orderId: event.orderId,
      transactionUuid,
      invoiceNo: outcome.invoice.providerInvoiceNo,
    });
    const db = await pool.connect();
    try {
      await insertIssuerRows(db, [rows]);
    } finally {
      db.release();
    }
    const issued: InvoiceEvent = {
      eventId: `${event.eventId}:issued`,
      causationEventId: event.eventId,
      orderId: event.orderId,
      merchantId: event.merchantId,
      occurredAt: Date.now(),
      type: "InvoiceIssued",
      payload: {
        invoiceSeq: 1,
        role: "original",
        transactionUuid,
        invoiceNo: outcome.invoice.invoiceNo,
        invoiceDate,
        buyerKind: "company",
      },
    };
    const wire = invoiceEventToWire(issued, {
      invoiceId: rows.invoice.id,
      issued: {
        templateCode: "1",
        invoiceSeries: outcome.invoice.series,
        totalPayableVnd: payment.amountVnd,
        provider: "sinvoice",
        lookupCode: outcome.invoice.reservationCode ?? "none",
      },
    });
    if (!wire.ok) throw wire.error;
    await producer.send(topics.events, [
      {
        key: event.orderId,
        value: await codec.encode(eventsSchemaId, wire.value),
        headers: { eventId: issued.eventId },
      },
    ]);
  }

  // Timed from the first batch (the group join before it is not the baseline's rate).
  let started = 0;
  await consumer.run({
    partitionsConsumedConcurrently: PARTITIONS,
    eachBatch: async (batch) => {
      if (started === 0) started = performance.now();
      for (const record of batch.records) {
        try {
          seq += 1;
          await handle(record, seq);
          done += 1;
        } catch (error) {
          failed += 1;
          if (failed <= 3) log(`naive: ${String(error)}`);
        }
        await consumer.commit([
          { topic: batch.topic, partition: batch.partition, offset: (BigInt(record.offset) + 1n).toString() },
        ]);
      }
    },
  });
  try {
    await waitFor(() => orders.every((o) => collector.issued.has(o.orderId)) || done + failed >= count, {
      timeoutMs: 1_800_000,
      intervalMs: 50,
      description: "the naive consumer to finish",
    });
    await waitFor(() => orders.every((o) => collector.issued.has(o.orderId)) || failed > 0, {
      timeoutMs: 60_000,
      intervalMs: 50,
      description: "the naive InvoiceIssued records read back",
    });
    const last = latestOf(collector.issued.values());
    return { per_s: Math.round(done / ((last - started) / 1000)), orders: count, failed };
  } finally {
    await consumer.disconnect().catch(() => undefined);
    await producer.disconnect().catch(() => undefined);
    await collector.stop().catch(() => undefined);
    await adapter.close();
    await pool.end();
    await deleteTopics(client, topics);
  }
}

// ---------------------------------------------------------------- run
const client = kafkaClient();
const sim = await startSimulator(LATENCY_MS);
const database = await createTempDatabase("bench_issuer", { migrate: true });
try {
  if (BACKLOG !== undefined) {
    const backlog = await runBacklog(client, sim, database.url, BACKLOG);
    const report = await sim.report();
    console.log(
      JSON.stringify({
        bench: "issuer_backlog",
        latency_ms: LATENCY_MS,
        backlog: BACKLOG,
        instances: INSTANCES,
        ...backlog,
        issued_at_provider: report.issued,
        duplicates_at_provider: report.duplicateKeys,
      }),
    );
  } else {
    const parts = (values.parts ?? "").split(",");
    const naive = parts.includes("naive")
      ? await runNaive(client, sim, database.url, NAIVE_ORDERS)
      : { per_s: Number.NaN, orders: 0, failed: 0 };
    log(`naive: ${JSON.stringify(naive)}`);
    const ours = parts.includes("ours")
      ? await runOurs(client, sim, database.url)
      : {
          per_s: Number.NaN,
          p50_ms: Number.NaN,
          p99_ms: Number.NaN,
          paced_per_s: 0,
          paced_orders: 0,
          peak_rss_mb: 0,
          dlq_or_other: 0,
          issuer_warnings: 0,
        };
    log(`ours: ${JSON.stringify(ours)}`);
    const pgLimit =
      values["pg-limit"] === "true" ? await pgIssuerRowsRate(Math.max(ORDERS, 5_000), 200) : undefined;
    const report = await sim.report();
    console.log(
      JSON.stringify({
        bench: "issuer",
        latency_ms: LATENCY_MS,
        orders: ORDERS,
        instances: INSTANCES,
        ours_per_s: ours.per_s,
        naive_per_s: naive.per_s,
        ratio: Math.round((ours.per_s / naive.per_s) * 10) / 10,
        p50_ms: ours.p50_ms,
        p99_ms: ours.p99_ms,
        peak_rss_mb: ours.peak_rss_mb,
        duplicates_at_provider: report.duplicateKeys,
        naive_orders: naive.orders,
        naive_failed: naive.failed,
        paced_per_s: ours.paced_per_s,
        paced_orders: ours.paced_orders,
        ...(PACED_TARGET === undefined ? {} : { paced_target_per_s: PACED_TARGET }),
        pg_limit_orders_per_s: pgLimit?.orders_per_s,
        ours_vs_pg_limit: pgLimit ? Math.round((ours.per_s / pgLimit.orders_per_s) * 1000) / 1000 : undefined,
        issued_at_provider: report.issued,
        other_events: ours.dlq_or_other,
        issuer_warnings: ours.issuer_warnings,
      }),
    );
  }
} finally {
  await sim.stop();
  await database.drop().catch(() => undefined);
}
