import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { connect, createTempDatabase, type TempDatabase } from "@invoice/db/testing";
import { Registry } from "prom-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createCodec, createPostgres, createRedis } from "../src/index.ts";
import { logger, testConfig } from "./support.ts";

async function gaugeValue(metrics: Registry, name: string): Promise<number | undefined> {
  return (await metrics.getSingleMetric(name)?.get())?.values[0]?.value;
}

let db: TempDatabase;

beforeAll(async () => {
  db = await createTempDatabase("runtime_clients");
});
afterAll(async () => {
  await db?.drop();
});

describe("client factories", () => {
  it("postgres: the pool never opens more connections than DATABASE_POOL_MAX", async () => {
    const config = testConfig(db.url, { DATABASE_POOL_MAX: "2" });
    const postgres = createPostgres(config);
    const observer = await connect(db.url);
    try {
      await postgres.readinessCheck();
      // Prisma's promises are lazy: Promise.all is what sends the five queries.
      let done = false;
      const finished = Promise.all(
        Array.from({ length: 5 }, () => postgres.client.$queryRawUnsafe("SELECT pg_sleep(0.3)::text")),
      ).finally(() => {
        done = true;
      });
      let most = 0;
      while (!done) {
        const { rows } = await observer.query<{ n: number }>(
          `SELECT count(*)::int AS n FROM pg_stat_activity
            WHERE datname = current_database() AND query LIKE 'SELECT pg_sleep%' AND state = 'active'`,
        );
        most = Math.max(most, rows[0]?.n ?? 0);
      }
      await finished;
      expect(most).toBe(2);
    } finally {
      await observer.end();
      await postgres.close();
    }
  });

  it("redis: ready right after creation, while the connection is still being set up", async () => {
    const metrics = new Registry();
    const redis = createRedis(testConfig(db.url), logger, { metrics });
    try {
      await expect(redis.readinessCheck()).resolves.toBeUndefined();
      expect(redis.client.status).toBe("ready");
      expect(await gaugeValue(metrics, "invoice_redis_connected")).toBe(1);
      // An optional dependency: /ready stays 200 "degraded" without it (the services' fallbacks).
      expect(redis.optional).toBe(true);
    } finally {
      await redis.close();
    }
  });

  it("redis: an unreachable server fails the check within the connect timeout", async () => {
    const metrics = new Registry();
    const redis = createRedis(
      testConfig(db.url, { REDIS_URL: "redis://127.0.0.1:1", REDIS_CONNECT_TIMEOUT_MS: "1000" }),
      logger,
      { metrics },
    );
    try {
      const startedAt = performance.now();
      await expect(redis.readinessCheck()).rejects.toThrow();
      // Time is the subject (the 1 s connect timeout): a refused connection fails in about 5 ms here,
      // a check that ignored the timeout would hang until the test's.
      expect(performance.now() - startedAt).toBeLessThan(1_500);
      expect(await gaugeValue(metrics, "invoice_redis_connected")).toBe(0);
    } finally {
      await redis.close();
    }
  });

  it("schema registry: one that does not answer in time, or cannot be reached, fails with the same code", async () => {
    const silent = createServer(() => undefined); // holds every request, never answers
    await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
    const { port } = silent.address() as AddressInfo;
    try {
      for (const url of [`http://127.0.0.1:${port}`, "http://127.0.0.1:1"]) {
        const codec = createCodec(
          testConfig(db.url, { SCHEMA_REGISTRY_URL: url, SCHEMA_REGISTRY_TIMEOUT_MS: "300" }),
        );
        await expect(codec.readinessCheck(), url).rejects.toMatchObject({
          code: "SCHEMA_REGISTRY_UNAVAILABLE",
          retriable: true,
        });
      }
    } finally {
      silent.closeAllConnections();
      await new Promise((resolve) => silent.close(resolve));
    }
  });

  it("schema registry: ready against the stack's registry, failing with a code against a wrong path", async () => {
    // The registry (a JVM) can take over 10 s, the default request timeout, to answer on a loaded 2-core
    // machine (issue 6); this test is about the answer, not the latency.
    const config = testConfig(db.url, { SCHEMA_REGISTRY_TIMEOUT_MS: "40000" });
    await expect(createCodec(config).readinessCheck()).resolves.toBeUndefined();
    const wrong = createCodec(
      testConfig(db.url, { SCHEMA_REGISTRY_URL: `${config.infrastructure.schemaRegistryUrl}/nope` }),
    );
    await expect(wrong.readinessCheck()).rejects.toMatchObject({
      code: "SCHEMA_REGISTRY_UNAVAILABLE",
      retriable: true,
    });
  });
});
