import { EventEmitter } from "node:events";
import { createTempDatabase, type TempDatabase } from "@invoice/db/testing";
import { createKafkaJsClient } from "@invoice/kafka";
import type { SignalSource } from "@invoice/lifecycle";
import { createLogger } from "@invoice/observability";
import { stackEnv, uniqueName } from "@invoice/testing";
import { afterAll, beforeAll } from "vitest";
import { loadPlatformConfig, type PlatformConfig } from "../src/index.ts";

export const logger = createLogger({ service: "ingest", level: "silent" });

/** The platform configuration a service would load, pointed at the stack and a test database. */
export function testConfig(databaseUrl: string, env: Record<string, string> = {}): PlatformConfig {
  const stack = stackEnv();
  return loadPlatformConfig("ingest", {
    PORT: "0",
    KAFKA_BROKERS: stack.kafkaBrokers.join(","),
    SCHEMA_REGISTRY_URL: stack.schemaRegistryUrl,
    REDIS_URL: stack.redisUrl,
    DATABASE_URL: databaseUrl,
    SHUTDOWN_GRACE_MS: "10000",
    ...env,
  });
}

/** Signals the test sends itself, and the exit code the service asked for. */
export function processDouble() {
  const signals = new EventEmitter() as EventEmitter & SignalSource;
  let exitWith: (code: number) => void = () => undefined;
  const exited = new Promise<number>((resolve) => {
    exitWith = resolve;
  });
  const exits: number[] = [];
  return {
    signals,
    exited,
    exits,
    exit: (code: number) => {
      exits.push(code);
      exitWith(code);
    },
  };
}

/** A topic of the test's own on the shared broker; `remove` deletes it. */
export async function testTopic(prefix: string) {
  const admin = createKafkaJsClient({
    brokers: stackEnv().kafkaBrokers,
    clientId: "runtime-test",
    logger,
  }).admin();
  await admin.connect();
  const topic = uniqueName(prefix);
  await admin.ensureTopics([{ topic, partitions: 1 }]);
  return {
    topic,
    admin,
    async remove() {
      await admin.deleteTopics([topic]).catch(() => undefined);
      await admin.disconnect();
    },
  };
}

/** Resolves when `promise` has, or after `ms` with "pending": to show a call is still waiting. */
export function settledWithin<T>(promise: Promise<T>, ms: number): Promise<T | "pending"> {
  return Promise.race([
    promise,
    new Promise<"pending">((resolve) => setTimeout(() => resolve("pending"), ms)),
  ]);
}

/** A database and a topic of the file's own for its tests, created before and removed after them. */
export function useDatabaseAndTopic(prefix: string) {
  const fixture = {} as { db: TempDatabase; topic: Awaited<ReturnType<typeof testTopic>> };
  beforeAll(async () => {
    fixture.db = await createTempDatabase(prefix);
    fixture.topic = await testTopic(prefix);
  });
  afterAll(async () => {
    await fixture.topic?.remove();
    await fixture.db?.drop();
  });
  return fixture;
}
