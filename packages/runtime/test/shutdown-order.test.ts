/**
 * ADR 0009: a service's own parts may be added after the HTTP server exists and still stop after HTTP
 * intake. Before the phases, a producer registered after startService() stopped first: a webhook
 * request in flight at SIGTERM then found its producer closed and answered 500.
 */
import { waitFor } from "@invoice/testing";
import { describe, expect, it } from "vitest";
import { createKafka, createPostgres, createService } from "../src/index.ts";
import { logger, processDouble, testConfig, useDatabaseAndTopic } from "./support.ts";

const fixture = useDatabaseAndTopic("runtime_shutdown");

describe("shutdown order", () => {
  it("finishes a request in flight at SIGTERM with a producer added after HTTP, then exits 0 within the grace period", async () => {
    const config = testConfig(fixture.db.url, { SHUTDOWN_GRACE_MS: "8000" });
    const process = processDouble();
    const service = createService({ config, logger, exit: process.exit, signals: process.signals });
    const postgres = service.addClient(createPostgres(config));
    const kafka = service.addClient(createKafka(config, logger));

    let entered: () => void = () => undefined;
    const inHandler = new Promise<void>((resolve) => {
      entered = resolve;
    });
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const producer = kafka.client.producer();
    const { port } = await service.start({
      routes: (router) =>
        router.post("/orders", async (_req, res) => {
          entered();
          await gate;
          const [written] = await producer.send(fixture.topic.topic, [
            { key: "order-1", value: "PaymentSucceeded" },
          ]);
          await postgres.client.$queryRawUnsafe("SELECT 1");
          res.json({ offset: written?.offset });
        }),
    });
    // Added after the HTTP server listens, as a service adding its own parts late would.
    await service.addComponent(
      "issuance producer",
      { start: () => producer.connect(), stop: () => producer.disconnect() },
      { phase: "flush" },
    );

    const response = fetch(`http://127.0.0.1:${port}/v1/api/orders`, { method: "POST" });
    await inHandler;
    const signalledAt = performance.now();
    process.signals.emit("SIGTERM", "SIGTERM");
    await waitFor(() => (service.state === "stopping" ? true : undefined), {
      description: "shutdown to start",
    });
    release();

    const answered = await response;
    expect(answered.status).toBe(200);
    expect(await answered.json()).toEqual({ offset: "0" });
    expect(await process.exited).toBe(0);
    // Time is the subject (the 8 s grace period); the whole shutdown takes about 250 ms here.
    expect(performance.now() - signalledAt).toBeLessThan(config.runtime.shutdownGraceMs);

    const report = await service.shutdown.shutdown("again");
    expect(report.steps.map((step) => [step.phase, step.name, step.outcome])).toEqual([
      ["intake", "http server", "stopped"],
      ["flush", "issuance producer", "stopped"],
      ["close", "postgres", "stopped"],
      ["close", "kafka", "stopped"],
    ]);
    // The record the request produced during the shutdown reached the broker.
    expect((await fixture.topic.admin.topicOffsets(fixture.topic.topic))[0]?.high).toBe("1");
  });
});
