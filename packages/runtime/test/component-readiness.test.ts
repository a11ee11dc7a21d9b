/**
 * ADR 0009: a component's own readiness reaches /ready, also when it is added after the HTTP server
 * exists, and a component that stops for good ends the process with exit code 1 after an orderly
 * shutdown. The component here is a real Kafka consumer that leaves its group for good on a bug
 * (a TypeError in its handler), exactly what a member does without the processing layer's catch.
 */
import type { Consumer } from "@invoice/kafka";
import { uniqueName, waitFor } from "@invoice/testing";
import { describe, expect, it } from "vitest";
import { createKafka, createPostgres, createRedis, createService, type Service } from "../src/index.ts";
import { logger, processDouble, testConfig, useDatabaseAndTopic } from "./support.ts";

const fixture = useDatabaseAndTopic("runtime_readiness");

async function ready(port: number) {
  const response = await fetch(`http://127.0.0.1:${port}/ready`);
  return {
    status: response.status,
    body: (await response.json()) as {
      status: string;
      checks: Record<string, { status: string; code?: string; optional?: boolean }>;
    },
  };
}

/** A consumer component whose handler fails on every record with a bug (not retried by kafkajs). */
function crashingConsumer(kafka: ReturnType<typeof createKafka>): {
  consumer: Consumer;
  component: Parameters<Service["addComponent"]>[1];
} {
  const consumer = kafka.client.consumer({ groupId: uniqueName("runtime_group"), retries: 0 });
  return {
    consumer,
    component: {
      start: async () => {
        await consumer.connect();
        await consumer.subscribe([fixture.topic.topic], { fromBeginning: true });
        await consumer.run({
          eachBatch: async () => {
            throw new TypeError("Cannot read properties of null (reading 'orderId')");
          },
        });
      },
      stop: () => consumer.disconnect(),
      isRunning: () => consumer.isRunning(),
    },
  };
}

async function produceOne(kafka: ReturnType<typeof createKafka>) {
  const producer = kafka.client.producer();
  await producer.connect();
  await producer.send(fixture.topic.topic, [{ key: "order-1", value: null }]);
  await producer.disconnect();
}

describe("component readiness and fatal errors", () => {
  it("a component added after HTTP shows on /ready, and /ready fails once it stopped for good", async () => {
    const config = testConfig(fixture.db.url);
    const process = processDouble();
    const service = createService({ config, logger, exit: process.exit, signals: false });
    service.addClient(createPostgres(config));
    const kafka = createKafka(config, logger);
    try {
      const { port } = await service.start();
      expect(Object.keys((await ready(port)).body.checks)).toEqual(["postgres"]);

      const { component } = crashingConsumer(kafka);
      await service.addComponent("issuance consumer", component, { phase: "intake" });
      service.addReadinessCheck("provider breaker", async () => undefined);
      expect(await ready(port)).toMatchObject({
        status: 200,
        body: {
          checks: {
            postgres: { status: "ok" },
            "issuance consumer": { status: "ok" },
            "provider breaker": { status: "ok" },
          },
        },
      });

      await produceOne(kafka);
      const notReady = await waitFor(
        async () => {
          const result = await ready(port);
          return result.status === 503 ? result : undefined;
        },
        { timeoutMs: 45_000, description: "/ready to report the consumer down" },
      );
      expect(notReady.body.checks).toMatchObject({
        postgres: { status: "ok" },
        "issuance consumer": { status: "failed", code: "COMPONENT_NOT_RUNNING" },
      });
      expect(process.exits).toEqual([]);
    } finally {
      await service.shutdown.shutdown("test done");
      await kafka.close();
    }
  });

  it('Redis down degrades the service (/ready 200 "degraded") instead of taking it out of rotation', async () => {
    // Every use of Redis has a fallback (clients/redis.ts), so an orchestrator must keep routing here.
    const config = testConfig(fixture.db.url, {
      REDIS_URL: "redis://127.0.0.1:1",
      REDIS_CONNECT_TIMEOUT_MS: "500",
    });
    const service = createService({ config, logger, exit: processDouble().exit, signals: false });
    service.addClient(createPostgres(config));
    service.addClient(createRedis(config, logger));
    try {
      const { port } = await service.start();
      expect(await ready(port)).toMatchObject({
        status: 200,
        body: {
          status: "degraded",
          checks: { postgres: { status: "ok" }, redis: { status: "failed", optional: true } },
        },
      });
      // A required check failing still answers 503, whatever the optional ones say.
      service.addReadinessCheck("provider breaker", async () => {
        throw new Error("open");
      });
      expect(await ready(port)).toMatchObject({ status: 503, body: { status: "not_ready" } });
    } finally {
      await service.shutdown.shutdown("test done");
    }
  });

  it("Kafka is ready when the service's own topics exist, and a missing one is named", async () => {
    // The issuer's topics can be overridden (ISSUER_*_TOPIC): its readiness must follow them, not
    // invoice.issuance, which a fresh stack does not have until `migrate` ran.
    const absent = uniqueName("runtime_absent");
    const config = testConfig(fixture.db.url, { INVOICE_ISSUANCE_TOPIC: absent });
    const missing = uniqueName("runtime_missing");
    const own = createKafka(config, logger, { readinessTopics: [fixture.topic.topic] });
    const withMissing = createKafka(config, logger, { readinessTopics: [fixture.topic.topic, missing] });
    const byDefault = createKafka(config, logger);
    try {
      await expect(own.readinessCheck()).resolves.toBeUndefined();
      await expect(withMissing.readinessCheck()).rejects.toMatchObject({
        code: "KAFKA_UNKNOWN_TOPIC",
        message: `topic ${missing} not found on the broker (created by the migrate run mode)`,
      });
      await expect(byDefault.readinessCheck()).rejects.toMatchObject({
        message: expect.stringContaining(absent),
      });
    } finally {
      await Promise.all([own.close(), withMissing.close(), byDefault.close()]);
    }
  });

  it("a component that stops for good shuts the service down in order and exits 1", async () => {
    const config = testConfig(fixture.db.url);
    const process = processDouble();
    const service = createService({ config, logger, exit: process.exit, signals: false });
    service.addClient(createPostgres(config));
    const kafka = service.addClient(createKafka(config, logger));
    const { consumer, component } = crashingConsumer(kafka);
    consumer.onCrash((error, willRestart) => {
      if (!willRestart) service.fatal("issuance consumer", error);
    });
    await service.addComponent("issuance consumer", component, { phase: "intake" });
    await service.start();
    await produceOne(kafka);

    expect(await process.exited).toBe(1);
    const report = await service.shutdown.shutdown("again");
    expect(report.reason).toBe("fatal: issuance consumer");
    expect(report.steps.map((step) => [step.name, step.outcome])).toEqual([
      ["issuance consumer", "stopped"],
      ["http server", "stopped"],
      ["postgres", "stopped"],
      ["kafka", "stopped"],
    ]);
  });
});
