import { createServer, type Server, Socket } from "node:net";
import { isRetriable } from "@invoice/errors";
import { createMetrics, type Registry } from "@invoice/observability";
import { stackEnv, uniqueName, waitFor } from "@invoice/testing";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  acquireWorkerIdLease,
  decodeSnowflake,
  WORKER_ID_LEASE_APPLICATION_NAME,
  WORKER_ID_LOCK_NAMESPACE,
  type WorkerIdLease,
  WorkerIdLeaseError,
} from "../src/index.ts";

const server = new URL(stackEnv().databaseUrl);
const admin = new pg.Client({ connectionString: urlFor("postgres") });
const database = uniqueName("ids_lease");
const leases: WorkerIdLease[] = [];

function urlFor(name: string, port?: number): string {
  const url = new URL(server);
  url.pathname = `/${name}`;
  if (port !== undefined) {
    url.hostname = "127.0.0.1";
    url.port = String(port);
  }
  return url.toString();
}

interface LogLine {
  level: string;
  message: string;
  fields: Record<string, unknown>;
}

function captureLogger() {
  const lines: LogLine[] = [];
  const at =
    (level: string) =>
    (fields: Record<string, unknown>, message: string): void =>
      void lines.push({ level, message, fields });
  return { lines, logger: { info: at("info"), warn: at("warn"), error: at("error") } };
}

async function lease(
  preferred: number,
  options: { registry?: Registry; port?: number; retryInitialMs?: number; validityMs?: number } = {},
) {
  const { lines, logger } = captureLogger();
  const acquired = await acquireWorkerIdLease({
    databaseUrl: urlFor(database, options.port),
    preferred,
    logger,
    ...(options.registry ? { metrics: options.registry } : {}),
    handoverGuardMs: 50,
    heartbeatIntervalMs: 200,
    validityMs: options.validityMs ?? 1_500,
    retryDelayMs: { initial: options.retryInitialMs ?? 100, max: 500 },
    acquireTimeoutMs: 10_000,
  });
  leases.push(acquired);
  return { lease: acquired, lines };
}

/** Backend pid of the lease session holding `workerId`, as PostgreSQL sees it. */
async function holderPid(workerId: number): Promise<number | undefined> {
  const { rows } = await admin.query<{ pid: number }>(
    `SELECT l.pid FROM pg_locks l JOIN pg_database d ON d.oid = l.database
      WHERE l.locktype = 'advisory' AND l.granted AND l.classid = $1::int::oid AND l.objid = $2::int::oid
        AND l.objsubid = 2 AND d.datname = $3`,
    [WORKER_ID_LOCK_NAMESPACE, workerId, database],
  );
  return rows[0]?.pid;
}

function leaseError(action: () => unknown): WorkerIdLeaseError {
  try {
    action();
  } catch (error) {
    expect(error).toBeInstanceOf(WorkerIdLeaseError);
    return error as WorkerIdLeaseError;
  }
  throw new Error("expected a WorkerIdLeaseError");
}

/** acquireWorkerIdLease gives up within its short timeout with a retriable `code`. */
async function expectNoLease(databaseUrl: string, code: string): Promise<void> {
  const error = await acquireWorkerIdLease({
    databaseUrl,
    preferred: 5,
    logger: captureLogger().logger,
    acquireTimeoutMs: 800,
    retryDelayMs: { initial: 100, max: 200 },
  }).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(WorkerIdLeaseError);
  expect((error as WorkerIdLeaseError).code).toBe(code);
  expect(isRetriable(error)).toBe(true);
}

async function metricValue(registry: Registry, name: string): Promise<number | undefined> {
  const metric = await registry.getSingleMetric(name)?.get();
  return metric?.values[0]?.value;
}

beforeAll(async () => {
  await admin.connect();
  await admin.query(`CREATE DATABASE "${database}"`);
});

afterAll(async () => {
  await Promise.all(leases.map((held) => held.release()));
  await admin.query(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`);
  await admin.end();
});

describe("acquireWorkerIdLease against PostgreSQL", () => {
  it("gives two processes configured with the same worker id different ids, and their ids never collide", async () => {
    const first = await lease(7);
    const second = await lease(7);
    expect(first.lease.workerId).toBe(7);
    expect(second.lease.workerId).toBeDefined();
    expect(second.lease.workerId).not.toBe(7);
    expect(second.lines.map((line) => line.message)).toContain(
      "preferred worker id is held by another process; leased another one",
    );

    // The rolling-update case of issue 7 (old and new pod, one APP_ENV_INVOICE_WORKER_ID): interleaved.
    const ids = new Set<bigint>();
    for (let i = 0; i < 20_000; i++) {
      ids.add(first.lease.generator.next());
      ids.add(second.lease.generator.next());
    }
    expect(ids.size).toBe(40_000);
    const workers = new Set([...ids].map((id) => decodeSnowflake(id).workerId));
    expect(workers).toEqual(new Set([7, second.lease.workerId]));
    // The session is visible to operators under its application_name.
    const pid = await holderPid(7);
    const { rows } = await admin.query("SELECT application_name FROM pg_stat_activity WHERE pid = $1", [pid]);
    expect(rows[0]?.application_name).toBe(WORKER_ID_LEASE_APPLICATION_NAME);
  });

  it("stops issuing ids when the holder's connection is killed, and frees the worker id for another process", async () => {
    const registry = createMetrics({ service: "ids-test", defaultMetrics: false });
    // A long renewal delay keeps the holder from taking its id back before the newcomer asks.
    const holder = await lease(100, { registry, retryInitialMs: 60_000 });
    expect(holder.lease.workerId).toBe(100);
    const before = holder.lease.generator.next();
    expect(await metricValue(registry, "invoice_worker_id_lease_held")).toBe(1);

    const pid = await holderPid(100);
    expect(pid).toBeDefined();
    await admin.query("SELECT pg_terminate_backend($1)", [pid]);

    await waitFor(() => !holder.lease.isHeld(), { timeoutMs: 10_000, description: "the lease to be lost" });
    const refused = leaseError(() => holder.lease.generator.next());
    expect(refused.code).toBe("WORKER_ID_LEASE_NOT_HELD");
    expect(isRetriable(refused)).toBe(true);
    expect(holder.lease.workerId).toBeUndefined();
    expect(holder.lines.find((line) => line.level === "error")?.message).toBe(
      "worker id lease lost; refusing to issue ids until a worker id is leased again",
    );
    expect(await metricValue(registry, "invoice_worker_id_lease_lost_total")).toBe(1);
    expect(await metricValue(registry, "invoice_worker_id_lease_held")).toBe(0);
    expect(await metricValue(registry, "invoice_worker_id_lease_refused_ids_total")).toBe(1);

    const newcomer = await lease(100);
    expect(newcomer.lease.workerId).toBe(100);
    expect(newcomer.lease.generator.next()).not.toBe(before);
  });

  it("re-leases after a lost connection, never the id another process holds now", async () => {
    const holder = await lease(200);
    await admin.query("SELECT pg_terminate_backend($1)", [await holderPid(200)]);
    await waitFor(() => !holder.lease.isHeld(), { timeoutMs: 10_000, description: "the loss" });
    const rival = await lease(200);
    await waitFor(() => holder.lease.isHeld(), { timeoutMs: 15_000, description: "the re-lease" });
    expect(holder.lines.map((line) => line.message)).toContain("worker id lease re-acquired");
    expect(holder.lease.workerId).toBeDefined();
    expect(holder.lease.workerId).not.toBe(rival.lease.workerId);
    const ids = new Set<bigint>();
    for (let i = 0; i < 5_000; i++) {
      ids.add(holder.lease.generator.next());
      ids.add(rival.lease.generator.next());
    }
    expect(ids.size).toBe(10_000);
  });

  it("takes any free id when the preferred one is held, and refuses when none is free", async () => {
    const hog = new pg.Client({ connectionString: urlFor(database) });
    await hog.connect();
    try {
      await hog.query(
        "SELECT pg_try_advisory_lock($1::int, id) FROM generate_series(0, 1023) AS id WHERE id <> 1000",
        [WORKER_ID_LOCK_NAMESPACE],
      );
      // Whatever earlier tests still hold is taken too; 1000 is the only id left.
      const last = await lease(5);
      expect(last.lease.workerId).toBe(1000);
      await expectNoLease(urlFor(database), "NO_FREE_WORKER_ID");
    } finally {
      await hog.end();
    }
  });

  it("refuses to hand out a lease while PostgreSQL cannot be reached", async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const address = closed.address();
    if (address === null || typeof address === "string") throw new Error("no port");
    await new Promise((resolve) => closed.close(resolve));
    await expectNoLease(urlFor(database, address.port), "WORKER_ID_LEASE_UNAVAILABLE");
  });

  it("releases on shutdown: the id is free again and the released lease refuses for good", async () => {
    const first = await lease(300);
    await first.lease.release();
    await first.lease.release();
    expect(await holderPid(300)).toBeUndefined();
    const refused = leaseError(() => first.lease.generator.next());
    expect(refused.code).toBe("WORKER_ID_LEASE_RELEASED");
    expect(isRetriable(refused)).toBe(false);
    const next = await lease(300);
    expect(next.lease.workerId).toBe(300);
  });

  it("a partitioned holder stops issuing within the validity window, while the server still holds its lock", async () => {
    const proxy = await startPausableProxy(Number(server.port || 5432), server.hostname);
    try {
      const holder = await lease(400, { port: proxy.port, validityMs: 1_500, retryInitialMs: 60_000 });
      expect(holder.lease.isHeld()).toBe(true);
      proxy.pauseExisting();
      const pausedAt = Date.now();
      await waitFor(() => !holder.lease.isHeld(), { timeoutMs: 10_000, description: "the lease to expire" });
      // Within validity (1.5 s) plus a heartbeat interval and scheduling slack on a loaded machine.
      expect(Date.now() - pausedAt).toBeLessThan(5_000);
      expect(leaseError(() => holder.lease.generator.next()).code).toBe("WORKER_ID_LEASE_NOT_HELD");
      // The server has not noticed anything: the zombie session still holds 400, so nobody else gets it.
      expect(await holderPid(400)).toBeDefined();
      const other = await lease(400);
      expect(other.lease.workerId).not.toBe(400);
    } finally {
      proxy.close();
    }
  });

  it("a newcomer that gets the id while the old holder still trusts its lease never repeats that holder's ids", async () => {
    // A failover (advisory locks are not replicated) or a backend terminated while the network drops its
    // goodbye: the server has released the lock, the holder has not heard and trusts its last proof.
    // Before the fix the newcomer issued ids 50 ms after the grant: 223,246 duplicates in one run.
    const validityMs = 3_000;
    const proxy = await startPausableProxy(Number(server.port || 5432), server.hostname);
    try {
      const holder = await lease(500, { port: proxy.port, validityMs, retryInitialMs: 60_000 });
      const pid = await holderPid(500);
      proxy.pauseExisting();
      await admin.query("SELECT pg_terminate_backend($1)", [pid]);
      await waitFor(async () => (await holderPid(500)) === undefined, {
        timeoutMs: 10_000,
        description: "the server to release the holder's lock",
      });
      const seen = new Set<bigint>();
      let duplicates = 0;
      const mint = (source: WorkerIdLease): number => {
        try {
          const id = source.generator.next();
          if (seen.has(id)) duplicates++;
          seen.add(id);
          return 1;
        } catch (error) {
          if (!(error instanceof WorkerIdLeaseError)) throw error;
          return 0;
        }
      };
      // The holder mints on while the newcomer takes the id, then both mint, until the holder has
      // stopped trusting its lease and the newcomer has issued ids of its own.
      let newcomer: WorkerIdLease | undefined;
      const arriving = lease(500, { validityMs }).then((taken) => {
        newcomer = taken.lease;
        return taken.lease;
      });
      let fromHolder = 0;
      let fromNewcomer = 0;
      const deadline = Date.now() + 20_000;
      while ((holder.lease.isHeld() || fromNewcomer < 10_000) && Date.now() < deadline) {
        for (let i = 0; i < 200; i++) {
          fromHolder += mint(holder.lease);
          if (newcomer) fromNewcomer += mint(newcomer);
        }
        await new Promise((resolve) => setImmediate(resolve));
      }
      expect((await arriving).workerId).toBe(500);
      expect(fromHolder).toBeGreaterThan(0);
      expect(fromNewcomer).toBeGreaterThanOrEqual(10_000);
      expect(duplicates).toBe(0);
    } finally {
      proxy.close();
    }
  });
});

/** A TCP proxy to PostgreSQL whose existing connections can be frozen (a silent network partition). */
async function startPausableProxy(targetPort: number, targetHost: string) {
  const pairs: Array<[Socket, Socket]> = [];
  const proxy: Server = createServer((client) => {
    const upstream = new Socket();
    upstream.connect(targetPort, targetHost === "localhost" ? "127.0.0.1" : targetHost);
    client.pipe(upstream);
    upstream.pipe(client);
    const destroy = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on("error", destroy);
    upstream.on("error", destroy);
    pairs.push([client, upstream]);
  });
  await new Promise<void>((resolve) => proxy.listen(0, "127.0.0.1", resolve));
  const address = proxy.address();
  if (address === null || typeof address === "string") throw new Error("proxy has no port");
  return {
    port: address.port,
    pauseExisting() {
      for (const [client, upstream] of pairs) {
        client.unpipe(upstream);
        upstream.unpipe(client);
        client.pause();
        upstream.pause();
      }
    },
    close() {
      for (const [client, upstream] of pairs) {
        client.destroy();
        upstream.destroy();
      }
      proxy.close();
    },
  };
}
