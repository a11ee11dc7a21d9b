/**
 * The four service skeletons, run as real processes against the real stack: migrate mode, health,
 * readiness, metrics, problem+json, graceful shutdown, and the start-up refusals an operator relies on.
 */
import { randomBytes } from "node:crypto";
import { withDatabase } from "@invoice/db";
import { type ServiceProcess, stackEnv, startServiceProcess, uniqueName, waitFor } from "@invoice/testing";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const SERVICES = ["ingest", "issuer", "claims", "cdc-sync"] as const;

/** The clients each main.ts wires, in its order: each one's /ready check and close step. */
const CLIENTS: Record<(typeof SERVICES)[number], string[]> = {
  ingest: ["kafka", "schema-registry", "redis", "postgres", "worker-id-lease"],
  issuer: ["postgres", "kafka", "schema-registry", "worker-id-lease"],
  claims: ["postgres", "redis", "kafka", "schema-registry"],
  "cdc-sync": ["postgres", "kafka", "worker-id-lease"],
};
/** Steps a service adds between HTTP intake and its clients (ingest: delivery worker, publisher; claims: its event publisher, api mode). */
const PARTS: Partial<Record<(typeof SERVICES)[number], Array<{ phase: string; steps: string[] }>>> = {
  ingest: [
    { phase: "drain", steps: ["webhook delivery worker"] },
    { phase: "flush", steps: ["issuance publisher"] },
  ],
  issuer: [
    { phase: "drain", steps: ["outbox relay"] },
    { phase: "flush", steps: ["provider adapter", "issuer producer"] },
  ],
  claims: [{ phase: "flush", steps: ["issuance publisher"] }],
};
/** The close phase: the clients, then the consumer-lag reader of the services that consume (ADR 0018). */
const closeOf = (service: (typeof SERVICES)[number]) => [
  ...CLIENTS[service],
  ...(service === "claims" ? [] : ["consumer lag metrics"]),
];
/** Components a service stops with its HTTP intake, before the server (ingest: its consumers; cdc-sync: consumer, drift check). */
const INTAKE: Partial<Record<(typeof SERVICES)[number], string[]>> = {
  ingest: ["commerce consumer", "invoice events consumer"],
  issuer: ["issuance consumer"],
  "cdc-sync": ["merchant cdc consumer", "taxinfo drift check"],
};
/** /ready checks of a service's own components, after its clients'. */
const readinessOf = (service: (typeof SERVICES)[number]) => [
  ...CLIENTS[service],
  ...(service === "cdc-sync" ? ["merchant cdc consumer"] : []),
  ...(service === "ingest"
    ? ["commerce consumer", "invoice events consumer", "webhook delivery worker"]
    : []),
];
const GRACE_MS = 10_000;

const stack = stackEnv();
const database = uniqueName("skeletons");
// Tables land in PostgreSQL schema `invoice`, the default when the URL names none.
const databaseUrl = withDatabase(stack.databaseUrl, database);
const adminUrl = withDatabase(stack.databaseUrl, "postgres");
const credentialsKey = randomBytes(32).toString("hex");

function baseEnv(workerId: number): Record<string, string> {
  return {
    KAFKA_BROKERS: stack.kafkaBrokers.join(","),
    SCHEMA_REGISTRY_URL: stack.schemaRegistryUrl,
    REDIS_URL: stack.redisUrl,
    DATABASE_URL: databaseUrl,
    PORT: "0",
    APP_ENV_INVOICE_WORKER_ID: String(workerId),
    APP_ENV_INVOICE_CREDENTIALS_KEY: credentialsKey,
    SHUTDOWN_GRACE_MS: String(GRACE_MS),
  };
}

/** stderr lines other than Node's own process warnings (deprecations, experimental features). */
function unexpectedStderr(stderr: string): string[] {
  return stderr
    .split("\n")
    .filter((line) => line.trim() !== "")
    .filter((line) => !/^\(node:\d+\) \w*Warning: /.test(line) && !line.startsWith("(Use `node --trace-"));
}

/** The JSON bodies these endpoints answer with: /health, /ready and problem+json. */
interface JsonBody {
  status?: unknown;
  checks: Record<string, { status: string }>;
}

async function getJson(port: number, path: string) {
  const response = await fetch(`http://127.0.0.1:${port}${path}`);
  return {
    status: response.status,
    type: response.headers.get("content-type") ?? "",
    body: (await response.json()) as JsonBody,
  };
}

async function runToExit(service: string, args: string[], env: Record<string, string>) {
  const proc = startServiceProcess(service, args, env);
  const code = await proc.exited;
  return { code, logs: proc.logs, stderr: proc.stderr() };
}

afterAll(async () => {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  await client.query(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`);
  await client.end();
});

describe("migrate run mode", () => {
  it("creates the database, applies migrations and seed, creates topics, registers schemas; idempotent", async () => {
    const first = await runToExit("issuer", ["migrate"], baseEnv(1));
    expect(unexpectedStderr(first.stderr)).toEqual([]);
    expect(first.code).toBe(0);
    const done = first.logs.find((l) => l.msg === "migrate done");
    expect(done?.appliedMigrations).toEqual(expect.arrayContaining(["20261201100000_order_state"]));
    expect(Object.keys((done?.schemaIds as object | undefined) ?? {})).toContain("invoice.issuance");

    const second = await runToExit("issuer", ["migrate"], baseEnv(1));
    expect(second.code).toBe(0);
    expect(second.logs.find((l) => l.msg === "migrate done")?.appliedMigrations).toEqual([]);
  });
});

describe.each(SERVICES.map((service, i) => [service, i + 10] as const))(
  "%s skeleton",
  (service, workerId) => {
    let proc: ServiceProcess;
    let port: number;

    beforeAll(async () => {
      proc = startServiceProcess(service, [], baseEnv(workerId));
      port = await proc.port();
    });
    afterAll(async () => {
      await proc?.stop("SIGKILL");
    });

    it("answers /health and, with its dependencies up, /ready", async () => {
      expect(await getJson(port, "/health")).toMatchObject({ status: 200, body: { status: "ok" } });
      const ready = await getJson(port, "/ready");
      expect(ready.status).toBe(200);
      expect(Object.values(ready.body.checks).every((c) => c.status === "ok")).toBe(true);
      expect(Object.keys(ready.body.checks)).toEqual(readinessOf(service));
    });

    it("exposes Prometheus metrics labelled with the service", async () => {
      const response = await fetch(`http://127.0.0.1:${port}/metrics`);
      expect(response.status).toBe(200);
      const text = await response.text();
      expect(text).toMatch(new RegExp(`process_cpu_seconds_total\\{service="${service}"\\}`));
    });

    it("answers an unknown route with problem+json", async () => {
      const result = await getJson(port, "/v1/api/nope");
      expect(result.status).toBe(404);
      expect(result.type).toContain("application/problem+json");
      expect(result.body).toMatchObject({ status: 404 });
    });

    it("logs its identity and its shutdown plan at start-up", () => {
      const started = proc.logs.find((l) => l.msg === "service started");
      expect(started).toMatchObject({
        serviceCode: "SVC-00150-INVOICE",
        workerId,
        readinessChecks: readinessOf(service),
        shutdownPlan: [
          { phase: "intake", steps: [...(INTAKE[service] ?? []), "http server"] },
          ...(PARTS[service] ?? []),
          { phase: "close", steps: closeOf(service) },
        ],
      });
      expect(JSON.stringify(started)).not.toContain(credentialsKey);
    });

    it("shuts down cleanly on SIGTERM within the grace period: HTTP intake first, clients last", async () => {
      const signalledAt = performance.now();
      expect(await proc.stop("SIGTERM")).toBe(0);
      // Time is the subject (the 10 s grace period); exit 0 already says every step kept its budget.
      expect(performance.now() - signalledAt).toBeLessThan(GRACE_MS);
      // Phase order, by the log's own timestamps: lines written while the process exits can reach the
      // pipe out of order.
      const at = (msg: string, step: string) =>
        String(proc.logs.find((l) => l.msg === msg && l.step === step)?.time ?? "missing");
      const stopped = proc.logs.filter((l) => l.msg === "shutdown step stopped").map((l) => l.step);
      const parts = [...(INTAKE[service] ?? []), ...(PARTS[service] ?? []).flatMap((part) => part.steps)];
      expect(new Set(stopped)).toEqual(new Set(["http server", ...parts, ...closeOf(service)]));
      for (const client of CLIENTS[service]) {
        expect(at("shutdown step started", client) >= at("shutdown step stopped", "http server")).toBe(true);
      }
      expect(proc.logs.find((l) => l.msg === "shutdown finished")).toBeDefined();
    });
  },
);

describe("readiness with a dependency down", () => {
  it('keeps /health up; /ready stays 200 "degraded" without Redis and is 503 without a required one', async () => {
    // Redis is optional (every use has a fallback: packages/runtime/src/clients/redis.ts); the schema
    // registry is not. Both processes run at once: two start-ups, one wait.
    const redisDown = startServiceProcess("ingest", [], { ...baseEnv(20), REDIS_URL: "redis://127.0.0.1:1" });
    const registryDown = startServiceProcess("ingest", [], {
      ...baseEnv(21),
      REDIS_URL: "redis://127.0.0.1:1",
      SCHEMA_REGISTRY_URL: "http://127.0.0.1:1",
    });
    try {
      const [degradedPort, downPort] = await Promise.all([redisDown.port(), registryDown.port()]);
      expect((await getJson(degradedPort, "/health")).status).toBe(200);
      const degraded = await getJson(degradedPort, "/ready");
      expect(degraded.status).toBe(200);
      expect(degraded.body.status).toBe("degraded");
      expect(degraded.body.checks.redis).toMatchObject({ status: "failed", optional: true });
      expect(degraded.body.checks.postgres).toMatchObject({ status: "ok" });
      const down = await getJson(downPort, "/ready");
      expect(down.status).toBe(503);
      expect(down.body.status).toBe("not_ready");
      expect(down.body.checks["schema-registry"]).toMatchObject({ status: "failed" });
    } finally {
      await Promise.all([redisDown.stop("SIGKILL"), registryDown.stop("SIGKILL")]);
    }
  }, 120_000); // two service start-ups at once: 19 s measured beside a loaded test run

  it("the issuer is not ready while one of its own topics is missing, and its log names the topic", async () => {
    // ISSUER_*_TOPIC overrides: /ready follows the topics the issuer uses, not invoice.issuance.
    const missing = uniqueName("skeleton_missing_events");
    const issuer = startServiceProcess("issuer", [], { ...baseEnv(23), ISSUER_EVENTS_TOPIC: missing });
    try {
      const port = await issuer.port();
      const ready = await getJson(port, "/ready");
      expect(ready.status).toBe(503);
      expect(ready.body.checks.kafka).toMatchObject({ status: "failed", code: "KAFKA_UNKNOWN_TOPIC" });
      // "topic X not found…", or "topics A, X not found…" when others are missing too.
      const names = (line: unknown) => {
        const text = JSON.stringify(line);
        return (
          text.includes(missing) && text.includes("not found on the broker (created by the migrate run mode)")
        );
      };
      await waitFor(() => issuer.logs.some(names), {
        description: "the readiness log line naming the missing topic",
      });
    } finally {
      await issuer.stop("SIGKILL");
    }
  }, 120_000); // one service start-up on a loaded machine
});

describe("start-up refusals", () => {
  it("refuses production without an explicit identity, naming the variables", async () => {
    const env = { ...baseEnv(1), APP_ENV: "production" };
    delete (env as Record<string, string | undefined>).APP_ENV_INVOICE_WORKER_ID;
    const result = await runToExit("ingest", [], env);
    expect(result.code).toBe(78);
    expect(result.stderr).toContain("APP_ENV_INVOICE_WORKER_ID");
    expect(result.stderr).toContain("APP_ENV_INVOICE_SERVICE_CODE");
  });

  it("refuses a credentials key that is not 64 hex characters, without echoing it", async () => {
    const badKey = credentialsKey.slice(0, 63);
    const result = await runToExit("issuer", [], { ...baseEnv(1), APP_ENV_INVOICE_CREDENTIALS_KEY: badKey });
    expect(result.code).toBe(78);
    expect(result.stderr).toContain("APP_ENV_INVOICE_CREDENTIALS_KEY");
    expect(result.stderr).not.toContain(badKey);
  });

  it("refuses an unknown run mode", async () => {
    const result = await runToExit("claims", ["sideways"], baseEnv(1));
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('unknown run mode "sideways"');
  });
});
