/**
 * The chaos scenarios that restart a server the issuer depends on — the Kafka broker and PostgreSQL,
 * each a private one of the scenario's own, never the shared stack's — and the SIGKILL between our
 * commit and the publish of its InvoiceEvents, which needs the broker gone to hold events unpublished.
 */
import { connect } from "@invoice/db/testing";
import { waitFor } from "@invoice/testing";
import type { ChaosWorld } from "./harness.ts";
import { recoveredAfter, type Scenario, warmUp, withWorld } from "./scenario-support.ts";

/**
 * (6) Kafka broker restart, on a private single-node broker of our own (never the shared one): the
 * broker is SIGKILLed mid-backlog and started again on the same data; the issuer stalls and resumes
 * by itself.
 */
export const kafkaRestart: Scenario = async (options) => {
  const { createPrivateBroker } = await import("../../services/ingest/test/private-broker.ts");
  const broker = await createPrivateBroker();
  try {
    await broker.start();
    return await withWorld(
      "kafka-restart",
      { brokers: broker.brokers, simulator: { latency: { kind: "fixed", ms: 50 } } },
      options,
      async (world, notes) => {
        await world.startIssuer();
        await world.produceOrders(options.short ? 100 : 400);
        await warmUp(world, 20);
        await broker.kill();
        const downMs = options.short ? 5_000 : 15_000;
        const killedAt = Date.now();
        // The broker stays down for downMs: time is the scenario's subject, not a stand-in for a condition.
        await new Promise((resolve) => setTimeout(resolve, downMs));
        await broker.start();
        const restartedAt = Date.now();
        notes.brokerDownMs = restartedAt - killedAt;
        await world.produceOrders(50);
        return recoveredAfter(world, [...world.orders], restartedAt);
      },
    );
  } finally {
    await broker.remove();
  }
};

/**
 * (7) PostgreSQL restart, on a private server of our own (never the shared one): the server is
 * crashed mid-workload (immediate shutdown: connections cut, no checkpoint), stays down 5 s (15 s
 * long) and starts again with crash recovery. The issuer stalls — nothing committed past what was
 * applied — and resumes by itself, without a restart of its own.
 */
export const postgresRestart: Scenario = async (options) => {
  const { createPrivatePostgres } = await import("./private-postgres.ts");
  const postgres = await createPrivatePostgres();
  try {
    await postgres.start();
    return await withWorld(
      "postgres-restart",
      { databaseServerUrl: postgres.url, simulator: { latency: { kind: "fixed", ms: 50 } } },
      options,
      async (world, notes, problems) => {
        const issuer = await world.startIssuer();
        const workload = world.steadyWorkload(options.short ? 3 : 8);
        await warmUp(world, 10);
        await world.produceOrders(options.short ? 40 : 150);
        await postgres.crash();
        const downMs = options.short ? 5_000 : 15_000;
        const crashedAt = Date.now();
        // The server stays down for downMs: time is the scenario's subject, not a stand-in for a condition.
        await new Promise((resolve) => setTimeout(resolve, downMs));
        await postgres.start();
        const restartedAt = Date.now();
        notes.postgresDownMs = restartedAt - crashedAt;
        // The issuer must have felt the outage (its queries failed), else nothing here was tested.
        const failedDuringOutage = issuer.proc.logs.filter((line) => {
          const at = Date.parse(String(line.time ?? ""));
          return (line.level === "warn" || line.level === "error") && at >= crashedAt && at <= restartedAt;
        }).length;
        notes.issuerFailuresDuringOutage = failedDuringOutage;
        if (failedDuringOutage === 0)
          problems.push(
            "the issuer logged no failure while PostgreSQL was down: the outage never reached it",
          );
        const seconds = await recoveredAfter(world, [...world.orders], restartedAt);
        await workload.stop();
        await recoveredAfter(world, [...world.orders], Date.now());
        if (!issuer.alive())
          problems.push("the issuer exited during the PostgreSQL outage (it must stall and resume)");
        notes.issuerRestarts = world.issuers.length - 1;
        return seconds;
      },
    );
  } finally {
    await postgres.remove();
  }
};

async function outboxRows(world: ChaosWorld): Promise<Array<{ eventId: string; orderId: string }>> {
  const client = await connect(world.database.url);
  try {
    const { rows } = await client.query<{ eventId: string; orderId: string }>(
      `SELECT "eventId", "orderId" FROM "InvoiceOutbox" ORDER BY "id"`,
    );
    return rows;
  } finally {
    await client.end();
  }
}

/**
 * (8) SIGKILL between our commit and the publish of its InvoiceEvents (ADR 0022, the outbox). The
 * private broker is SIGKILLed mid-burst, so the decisions the issuer still commits (PostgreSQL is up)
 * cannot be published: their InvoiceOutbox rows stay. The issuer is SIGKILLed while it waits, the
 * broker comes back, a new issuer starts: the records are redelivered as duplicates (already applied,
 * so nothing re-publishes them) and only the outbox relay can deliver those events. Every order must
 * end with its InvoiceIssued on invoice.events, each outbox row's eventId among them, the outbox empty.
 */
export const sigkillBeforePublish: Scenario = async (options) => {
  const { createPrivateBroker } = await import("../../services/ingest/test/private-broker.ts");
  const broker = await createPrivateBroker();
  // The relay takes rows older than the grace period; seconds here, not the default minute.
  const relayEnv = { ISSUER_OUTBOX_GRACE_MS: "2000", ISSUER_OUTBOX_RELAY_INTERVAL_MS: "500" };
  try {
    await broker.start();
    return await withWorld(
      "sigkill-before-publish",
      { brokers: broker.brokers, simulator: { latency: { kind: "fixed", ms: 50 } } },
      options,
      async (world, notes, problems) => {
        const first = await world.startIssuer(relayEnv);
        await world.produceOrders(options.short ? 10 : 30);
        await warmUp(world, 5);
        // Killed while provider calls are in flight: their results are committed after the broker is
        // gone, so their InvoiceEvents cannot be published (a kill between batches strands nothing).
        // The issuer takes a few hundred orders a second: poll the proxy closely, right after the burst.
        await world.produceOrders(options.short ? 300 : 1_000);
        await waitFor(() => world.proxy.inFlightCreates() >= 1, {
          timeoutMs: 60_000,
          intervalMs: 2,
          description: "provider calls in flight to kill the broker under",
        });
        await broker.kill();
        let stranded: Array<{ eventId: string; orderId: string }>;
        try {
          await waitFor(async () => (await outboxRows(world)).length >= 1, {
            timeoutMs: 60_000,
            intervalMs: 50,
            description: "decisions committed but not published (outbox rows) with the broker down",
          });
          await first.kill();
          stranded = await outboxRows(world);
        } finally {
          // Back in every case: the world's cleanup needs the broker.
          await broker.start();
        }
        notes.strandedEvents = stranded.length;
        notes.strandedOrders = new Set(stranded.map((row) => row.orderId)).size;
        const restartedAt = Date.now();
        const second = await world.startIssuer(relayEnv);
        const seconds = await recoveredAfter(world, [...world.orders], restartedAt);
        await waitFor(async () => (await outboxRows(world)).length === 0, {
          timeoutMs: 120_000,
          intervalMs: 200,
          description: "the outbox relayed and emptied",
        });
        const relayed = second.proc.logs.filter(
          (line) => line.msg === "[outbox] relayed events committed but not published in time",
        );
        notes.relayedEvents = relayed.reduce((sum, line) => sum + Number(line.events ?? 0), 0);
        if (relayed.length === 0)
          problems.push("the relay published nothing: the scenario did not strand an event");
        const published = new Set(
          (await world.readTopic(world.topics.events, world.orders.length)).map((record) =>
            String((record.headers as Record<string, unknown>).eventId ?? ""),
          ),
        );
        const missing = stranded.filter((row) => !published.has(row.eventId));
        if (missing.length > 0)
          problems.push(
            `${missing.length} stranded events never published (orders ${missing
              .slice(0, 5)
              .map((r) => r.orderId)
              .join(", ")})`,
          );
        return seconds;
      },
    );
  } finally {
    await broker.remove();
  }
};
