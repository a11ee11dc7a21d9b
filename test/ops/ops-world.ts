/**
 * The world of the real-Prometheus dashboard test: every service as a real process (ingest with its
 * consumers, the issuer, the claims API and its expiry worker, cdc-sync) on topics, consumer groups,
 * a database and Redis keys of its own, a provider simulator of its own (faults stay ours), a merchant
 * webhook receiver, a JWKS server for the merchant API, and Prometheus (Debian's 2.42) scraping every
 * service each second. Never touches the shared topics, groups or databases.
 */
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer as createHttpServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { MERCHANT_TABLE_DDL } from "@invoice/cdc-sync/testing";
import { createJwksServer, loadOrCreateDevKeys, signDevToken } from "@invoice/cli";
import { createTempDatabase, type TempDatabase } from "@invoice/db/testing";
import type { Admin, KafkaClient, Producer } from "@invoice/kafka";
import { testClient } from "@invoice/kafka/testing";
import { type RunningSimulator, startSimulator } from "@invoice/provider-simulator";
import {
  freePort,
  type ServiceProcess,
  stackEnv,
  startServiceProcess,
  uniqueName,
  waitFor,
} from "@invoice/testing";
import pg from "pg";

const PROMETHEUS = "prometheus";
export const hasPrometheus = spawnSync("sh", ["-c", `command -v ${PROMETHEUS}`]).status === 0;

/** A claim window short enough to see one expire in the test, long enough to submit another in time. */
export const CLAIM_WINDOW_MS = 45_000;

export interface Received {
  path: string;
  status: number;
}

export interface OpsWorld {
  merchantId: string;
  webhookSecret: string;
  topics: {
    issuance: string;
    retry: string;
    dlq: string;
    events: string;
    ingestDlq: string;
    commerce: { paymentSucceeded: string; invoiceRequested: string; paymentRefunded: string };
    cdc: string;
    cdcDlq: string;
  };
  /** Every consumer group of the world, by the service that reports its lag. */
  groups: { issuer: string; ingestCommerce: string; ingestWebhooks: string; cdc: string };
  sim: RunningSimulator;
  services: Record<"ingest" | "issuer" | "claims" | "claims-worker" | "cdc-sync", ServiceProcess>;
  ports: Record<string, number>;
  /** The world's database (invoice schema), for the test's own reads, and its URL (the CLI's). */
  db: pg.Client;
  databaseUrl: string;
  /** Commerce's Merchant table stand-in: what cdc-sync's drift check compares TaxInfo with. */
  commerce: pg.Client;
  kafka: KafkaClient;
  admin: Admin;
  producer: Producer;
  /** Calls the merchant's webhook endpoint received (the first one is answered 500). */
  received: Received[];
  /** A merchant API token for the world's merchant. */
  token: string;
  promUrl: string;
  startedAt: number;
  stop(): Promise<void>;
}

async function listen(server: Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return (server.address() as AddressInfo).port;
}

function closeServer(server: Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}

function startPrometheus(dir: string, port: number, targets: Record<string, number>) {
  const scrape = Object.entries(targets).map(
    ([name, p]) => `      - targets: ["127.0.0.1:${p}"]\n        labels: { job: "${name}" }`,
  );
  writeFileSync(
    join(dir, "prometheus.yml"),
    `global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\nscrape_configs:\n  - job_name: invoice\n    static_configs:\n${scrape.join("\n")}\n`,
  );
  const child: ChildProcess = spawn(
    PROMETHEUS,
    [
      `--config.file=${join(dir, "prometheus.yml")}`,
      `--storage.tsdb.path=${join(dir, "data")}`,
      `--web.listen-address=127.0.0.1:${port}`,
    ],
    { stdio: ["ignore", "pipe", "pipe"] },
  );
  let log = "";
  child.stderr?.setEncoding("utf8").on("data", (chunk: string) => {
    log = (log + chunk).slice(-4_000);
  });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  return { child, log: () => log, exited };
}

/** Starts everything; `stop()` removes what it created, also after a failed start. */
export async function startOpsWorld(): Promise<OpsWorld> {
  const stack = stackEnv();
  const startedAt = Date.now();
  const cleanups: Array<() => Promise<unknown>> = [];
  const stop = async () => {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
  };
  try {
    const prefix = uniqueName("ops");
    const code = prefix.replaceAll("_", "-").toUpperCase();
    const topics = {
      issuance: `${prefix}.issuance`,
      retry: `${prefix}.issuance.retry`,
      dlq: `${prefix}.issuance.dlq`,
      events: `${prefix}.events`,
      ingestDlq: `${prefix}.ingest.dlq`,
      commerce: {
        paymentSucceeded: `${prefix}.commerce.payment.succeeded`,
        invoiceRequested: `${prefix}.commerce.invoice.requested`,
        paymentRefunded: `${prefix}.commerce.payment.refunded`,
      },
      cdc: `${prefix}.commerce.public.Merchant`,
      cdcDlq: `${prefix}.cdc.dlq`,
    };
    const groups = {
      issuer: `${code}_ISSUER_CONSUMER`,
      ingestCommerce: `${code}_INGEST_COMMERCE_CONSUMER`,
      ingestWebhooks: `${code}_INGEST_WEBHOOKS_CONSUMER`,
      cdc: `${code}_CDC_SYNC_CONSUMER`,
    };
    const kafka = testClient();
    const admin = kafka.admin();
    await admin.connect();
    cleanups.push(async () => {
      await admin.deleteTopics([
        topics.issuance,
        topics.retry,
        topics.dlq,
        topics.events,
        topics.ingestDlq,
        ...Object.values(topics.commerce),
        topics.cdc,
        topics.cdcDlq,
      ]);
      await admin.deleteGroups(Object.values(groups)).catch(() => undefined);
      await admin.disconnect();
    });
    // Debezium creates its topic with one partition; cdc-sync creates its DLQ like it.
    await admin.ensureTopics([{ topic: topics.cdc, partitions: 1 }]);
    const producer = kafka.producer();
    await producer.connect();
    cleanups.push(() => producer.disconnect());

    const database = await createTempDatabase("opsdash");
    cleanups.push(() => database.drop());
    const commerceDb: TempDatabase = await createTempDatabase("opscommerce");
    cleanups.push(() => commerceDb.drop());
    const commerce = new pg.Client({ connectionString: commerceDb.url });
    await commerce.connect();
    cleanups.push(() => commerce.end());
    await commerce.query(MERCHANT_TABLE_DDL);

    const sim = await startSimulator({ port: 0 });
    cleanups.push(() => sim.close());

    // The merchant's webhook endpoint: 500 once (a retried delivery), then 200.
    const received: Received[] = [];
    const receiver = createHttpServer((req, res) => {
      req.resume();
      req.on("end", () => {
        const status = received.length === 0 ? 500 : 200;
        received.push({ path: req.url ?? "", status });
        res.writeHead(status).end("ok");
      });
    });
    const receiverPort = await listen(receiver);
    cleanups.push(() => closeServer(receiver));

    const keyDir = mkdtempSync(join(tmpdir(), "invoice-ops-keys-"));
    cleanups.push(async () => rmSync(keyDir, { recursive: true, force: true }));
    const keys = await loadOrCreateDevKeys(keyDir);
    const jwks = createJwksServer(keys);
    const jwksPort = await listen(jwks);
    cleanups.push(() => closeServer(jwks));
    const merchantId = `${code}-M`;
    const token = await signDevToken(keys, {
      merchants: [merchantId],
      permissions: ["webhooks:read", "webhooks:write", "invoices:read"],
      ttlSeconds: 3_600,
    });

    const webhookSecret = `whsec_ops_${randomBytes(24).toString("hex")}`;
    const base: Record<string, string> = {
      KAFKA_BROKERS: stack.kafkaBrokers.join(","),
      SCHEMA_REGISTRY_URL: stack.schemaRegistryUrl,
      REDIS_URL: stack.redisUrl,
      DATABASE_URL: database.url,
      PORT: "0",
      APP_ENV_INVOICE_SERVICE_CODE: code,
      APP_ENV_INVOICE_CREDENTIALS_KEY: randomBytes(32).toString("hex"),
      INVOICE_ISSUANCE_TOPIC: topics.issuance,
      INVOICE_ISSUANCE_RETRY_TOPIC: topics.retry,
      INVOICE_ISSUANCE_DLQ_TOPIC: topics.dlq,
      INVOICE_EVENTS_TOPIC: topics.events,
      INVOICE_INGEST_DLQ_TOPIC: topics.ingestDlq,
      SHUTDOWN_GRACE_MS: "10000",
    };
    // Migrations, seed (the claim form's administrative units), the world's topics and schemas.
    const migrate = startServiceProcess("issuer", ["migrate"], { ...base, APP_ENV_INVOICE_WORKER_ID: "40" });
    const migrated = await migrate.exited;
    if (migrated !== 0) throw new Error(`migrate exited ${migrated}: ${migrate.stderr()}`);
    const db = new pg.Client({ connectionString: database.url });
    await db.connect();
    cleanups.push(() => db.end());

    const claims = {
      CLAIMS_REDIS_KEY_PREFIX: `${prefix}:claims:`,
      CLAIMS_TRUSTED_PROXY_HOPS: "1",
      CLAIMS_RATE_LIMIT_NOT_FOUND_PER_ADDRESS: "3",
      CLAIMS_EXPIRY_SCAN_INTERVAL_MS: "1000",
      CLAIMS_RELAY_INTERVAL_MS: "500",
      CLAIMS_PUBLISH_TIMEOUT_MS: "2000",
      CLAIMS_PUBLISH_LEASE_MS: "4000",
    };
    // The claims API's registry is a closed port: its own publish of ClaimSubmitted fails (counted),
    // and the worker's outbox relay, with the real registry, delivers it — the path an outage takes.
    const deadRegistry = `http://127.0.0.1:${await freePort()}/apis/ccompat/v7`;
    const services = {
      issuer: startServiceProcess("issuer", ["worker"], {
        ...base,
        APP_ENV_INVOICE_WORKER_ID: "41",
        ISSUER_PROVIDER_BASE_URL: sim.baseUrl,
        // Its topics are the shared INVOICE_*_TOPIC names of `base`, as every other service's.
        ISSUER_GROUP_ID: groups.issuer,
        ISSUER_FROM_BEGINNING: "true",
        ISSUER_RETRY_BASE_MS: "200",
        ISSUER_RETRY_MAX_MS: "2000",
        // The outage must not exhaust them: FAILED comes from a refusal only.
        ISSUER_MAX_SEND_RETRIES: "40",
        // A 503 from createInvoice is an unknown outcome, looked up two leases after the call (domain
        // README "Leases"): 8 s here instead of 4 min. The simulator answers at once, well inside it.
        ISSUER_SEND_LEASE_MS: "4000",
        ISSUER_DEFAULT_CLAIM_WINDOW_MS: String(CLAIM_WINDOW_MS),
      }),
      ingest: startServiceProcess("ingest", [], {
        ...base,
        APP_ENV_INVOICE_WORKER_ID: "42",
        WEBHOOK_SECRET: webhookSecret,
        WEBHOOK_REPLAY_KEY_PREFIX: `${prefix}:replay`,
        COMMERCE_PAYMENT_SUCCEEDED_TOPIC: topics.commerce.paymentSucceeded,
        COMMERCE_INVOICE_REQUESTED_TOPIC: topics.commerce.invoiceRequested,
        COMMERCE_PAYMENT_REFUNDED_TOPIC: topics.commerce.paymentRefunded,
        JWKS_URL: `http://127.0.0.1:${jwksPort}/.well-known/jwks.json`,
        OUTBOUND_WEBHOOK_ALLOW_PRIVATE_TARGETS: "true",
        OUTBOUND_WEBHOOK_BACKOFF_BASE_MS: "200",
        OUTBOUND_WEBHOOK_BACKOFF_MAX_MS: "500",
        OUTBOUND_WEBHOOK_POLL_INTERVAL_MS: "200",
      }),
      claims: startServiceProcess("claims", ["api"], {
        ...base,
        ...claims,
        SCHEMA_REGISTRY_URL: deadRegistry,
      }),
      "claims-worker": startServiceProcess("claims", ["worker"], { ...base, ...claims }),
      "cdc-sync": startServiceProcess("cdc-sync", [], {
        ...base,
        APP_ENV_INVOICE_WORKER_ID: "43",
        CDC_MERCHANT_TOPIC: topics.cdc,
        CDC_DLQ_TOPIC: topics.cdcDlq,
        CDC_CONSUMER_GROUP: groups.cdc,
        CDC_VALUE_FORMAT: "json",
        CDC_COMMERCE_DATABASE_URL: commerceDb.url,
        CDC_DRIFT_INTERVAL_MS: "1000",
      }),
    };
    for (const [name, proc] of Object.entries(services)) {
      cleanups.push(async () => {
        await proc.stop("SIGTERM");
        // OPS_TEST_LOG_DIR=<dir>: every service's log lines, to read after a failed run.
        const logDir = process.env.OPS_TEST_LOG_DIR;
        if (logDir) {
          const lines = proc.logs.map((l) => JSON.stringify(l)).join("\n");
          writeFileSync(join(logDir, `${name}.log`), `${lines}\n${proc.stderr()}`);
        }
      });
    }
    const ports: Record<string, number> = {};
    for (const [name, proc] of Object.entries(services)) ports[name] = await proc.port();

    const dir = mkdtempSync(join(tmpdir(), "invoice-prometheus-"));
    cleanups.push(async () => rmSync(dir, { recursive: true, force: true }));
    const promPort = await freePort();
    const prometheus = startPrometheus(dir, promPort, ports);
    cleanups.push(async () => {
      prometheus.child.kill("SIGTERM");
      await prometheus.exited;
    });
    const promUrl = `http://127.0.0.1:${promPort}`;
    await waitFor(async () => (await fetch(`${promUrl}/-/ready`)).ok, {
      timeoutMs: 60_000,
      description: "Prometheus ready",
    }).catch((error: unknown) => {
      throw new Error(`Prometheus did not start: ${prometheus.log()}`, { cause: error });
    });

    const hooked = await fetch(`http://127.0.0.1:${ports.ingest}/v1/api/merchants/${merchantId}/webhooks`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: JSON.stringify({ url: `http://127.0.0.1:${receiverPort}/hooks/${prefix}` }),
    });
    if (hooked.status !== 201) throw new Error(`webhook endpoint not created: ${await hooked.text()}`);

    return {
      merchantId,
      webhookSecret,
      topics,
      groups,
      sim,
      services,
      ports,
      db,
      databaseUrl: database.url,
      commerce,
      kafka,
      admin,
      producer,
      received,
      token,
      promUrl,
      startedAt,
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
