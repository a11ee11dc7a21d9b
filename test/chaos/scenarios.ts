/**
 * The chaos scenarios (issue 14 "Chaos", issue 9 "Exactly once at the provider"). Each one builds its
 * own world (harness.ts), runs the issuer under a steady workload, injects one kind of failure, lets
 * the platform recover by itself, and ends with the common checks (checks.ts) plus its own. `short`
 * is the variant the test command runs; the long one is `pnpm chaos`.
 */
import { connect } from "@invoice/db/testing";
import { waitFor } from "@invoice/testing";
import { type CheckResult, verify } from "./checks.ts";
import { type ChaosWorld, type ChaosWorldOptions, createChaosWorld, SELLER_TAX_CODE } from "./harness.ts";

export interface ScenarioResult {
  name: string;
  passed: boolean;
  lost: number;
  duplicates: number;
  /** Seconds from the end of the fault to every order accepted before it being invoiced. */
  recoverySeconds: number;
  checks: CheckResult;
  /** What the scenario saw on top of the common checks. */
  notes: Record<string, unknown>;
  problems: string[];
}

export interface ScenarioOptions {
  short: boolean;
  /** Progress lines (the CLI prints them; tests stay quiet). */
  log?: (line: string) => void;
}

type Scenario = (options: ScenarioOptions) => Promise<ScenarioResult>;

/** The slowest a busy 2-core machine may take to drain what a scenario queued. */
const DRAIN_TIMEOUT_MS = 240_000;

async function issuedAmong(world: ChaosWorld, orderIds: string[]): Promise<number> {
  const client = await connect(world.database.url);
  try {
    const { rows } = await client.query<{ n: string }>(
      `SELECT count(DISTINCT "orderId") AS n FROM "Invoice"
        WHERE kind = 'ORIGINAL' AND status = 'ISSUED' AND "orderId" = ANY($1::text[])`,
      [orderIds],
    );
    return Number(rows[0]?.n ?? 0);
  } finally {
    await client.end();
  }
}

/** Waits until `orderIds` are all ISSUED; returns the seconds it took from `since`. */
async function recoveredAfter(world: ChaosWorld, orderIds: string[], since: number): Promise<number> {
  await waitFor(async () => (await issuedAmong(world, orderIds)) === orderIds.length, {
    timeoutMs: DRAIN_TIMEOUT_MS,
    intervalMs: 200,
    description: `${orderIds.length} orders issued after the fault`,
  });
  return Math.round((Date.now() - since) / 100) / 10;
}

async function warmUp(world: ChaosWorld, count: number): Promise<void> {
  await waitFor(async () => (await issuedAmong(world, world.orders)) >= count, {
    timeoutMs: 120_000,
    intervalMs: 200,
    description: `the first ${count} orders issued (warm-up)`,
  });
}

async function withWorld(
  name: string,
  worldOptions: ChaosWorldOptions,
  options: ScenarioOptions,
  body: (world: ChaosWorld, notes: Record<string, unknown>, problems: string[]) => Promise<number>,
): Promise<ScenarioResult> {
  const world = await createChaosWorld(worldOptions);
  const notes: Record<string, unknown> = { runId: world.runId, logs: world.logDir };
  const problems: string[] = [];
  try {
    const recoverySeconds = await body(world, notes, problems);
    const checks = await verify(world);
    // Never two sends of one key in flight at once, across every process (issue 9).
    const maxPerKey = world.proxy.maxConcurrentPerKey();
    notes.maxConcurrentSendsPerKey = maxPerKey;
    if (maxPerKey > 1) problems.push(`${maxPerKey} sends of one transactionUuid were in flight at once`);
    const report = world.sim.report();
    notes.provider = {
      issued: report.issued,
      duplicateKeys: report.duplicateKeys,
      creates: report.counters.createInvoice,
      searches: report.counters.search,
      faults: report.counters.faults,
    };
    notes.resends = [...world.proxy.creates().values()].filter((n) => n > 1).length;
    const all = [...problems, ...checks.problems];
    options.log?.(`${name}: ${all.length === 0 ? "passed" : `FAILED (${all.slice(0, 3).join("; ")})`}`);
    return {
      name,
      passed: all.length === 0,
      lost: checks.lost,
      duplicates: checks.duplicates,
      recoverySeconds,
      checks,
      notes,
      problems: all,
    };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const tail = world.issuers.flatMap((i) => i.proc.stderr().split("\n").slice(-5)).join(" | ");
    options.log?.(`${name}: FAILED (${message})`);
    return {
      name,
      passed: false,
      lost: -1,
      duplicates: world.sim.report().duplicateKeys,
      recoverySeconds: -1,
      checks: undefined as unknown as CheckResult,
      notes: { ...notes, stderr: tail.slice(-2_000) },
      problems: [...problems, message],
    };
  } finally {
    await world.close();
  }
}

/**
 * (1) SIGKILL between the provider's success and our commit. The fault proxy holds the provider's
 * answer to one createInvoice, kills the issuer (SIGKILL) and drops the answer; in the second round
 * the answer is delivered and the issuer killed right after, before it can commit. A restarted issuer
 * must look the key up, adopt the invoice, and the simulator must show exactly one invoice per key.
 */
const sigkillBeforeCommit: Scenario = (options) =>
  withWorld(
    "sigkill-before-commit",
    { simulator: { latency: { kind: "fixed", ms: 50 } } },
    options,
    async (world, notes, problems) => {
      let issuer = await world.startIssuer();
      const workload = world.steadyWorkload(options.short ? 3 : 8);
      await warmUp(world, 5);
      const rounds: Array<"drop" | "forward"> = options.short
        ? ["drop", "forward"]
        : ["drop", "forward", "drop", "forward"];
      const killed: Array<{ key: string; mode: string; recovery_s: number }> = [];
      let recoverySeconds = 0;
      for (const mode of rounds) {
        let key: string | undefined;
        const victim = issuer;
        world.proxy.onCreateAnswered = async (answer) => {
          if (key !== undefined || !answer.created || !answer.transactionUuid) return "forward";
          key = answer.transactionUuid;
          if (mode === "drop") {
            await victim.kill();
            return "drop";
          }
          // The answer reaches the issuer; it dies on the next turn of our event loop, typically
          // before its state transaction commits.
          setImmediate(() => void victim.kill());
          return "forward";
        };
        await waitFor(() => key !== undefined && !victim.alive(), {
          timeoutMs: 120_000,
          description: `a provider success to kill the issuer at (${mode})`,
        });
        world.proxy.onCreateAnswered = undefined;
        const pending = [...world.orders];
        const restartedAt = Date.now();
        issuer = await world.startIssuer();
        const seconds = await recoveredAfter(world, pending, restartedAt);
        recoverySeconds = Math.max(recoverySeconds, seconds);
        const atProvider = world.sim.invoices(SELLER_TAX_CODE, key as string);
        if (atProvider.length !== 1)
          problems.push(`key ${key} (${mode}): ${atProvider.length} invoices at the provider`);
        killed.push({ key: key as string, mode, recovery_s: seconds });
      }
      await workload.stop();
      await recoveredAfter(world, [...world.orders], Date.now());
      notes.kills = killed;
      return recoverySeconds;
    },
  );

/**
 * (2) Two issuer instances in one group; one is SIGKILLed while sends are in flight. The survivor
 * takes its partitions over after the session timeout; sends the dead one had in flight are looked
 * up before any resend, and no key is ever sent twice at once.
 */
const twoInstancesKillOne: Scenario = (options) =>
  withWorld(
    "two-instances-kill-one",
    { simulator: { latency: { kind: "uniform", minMs: 50, maxMs: 250 } } },
    options,
    async (world, notes) => {
      const first = await world.startIssuer();
      let second = await world.startIssuer();
      const workload = world.steadyWorkload(options.short ? 4 : 10);
      await warmUp(world, 10);
      const kills: Array<{ instance: string; inFlight: number; recovery_s: number }> = [];
      let recoverySeconds = 0;
      const victims = options.short ? [first] : [first, second];
      for (const victim of victims) {
        // A burst, so that the kill lands mid-batch: at the steady rate a send rarely overlaps
        // another (the issuer keeps up), and waiting for two in flight timed out on a loaded machine.
        await world.produceOrders(20);
        await waitFor(() => world.proxy.inFlightCreates() >= 2, {
          timeoutMs: 60_000,
          intervalMs: 5,
          description: "sends in flight",
        });
        const inFlight = world.proxy.inFlightCreates();
        await victim.kill();
        const killedAt = Date.now();
        const pending = [...world.orders];
        const seconds = await recoveredAfter(world, pending, killedAt);
        kills.push({ instance: victim.name, inFlight, recovery_s: seconds });
        recoverySeconds = Math.max(recoverySeconds, seconds);
        if (victim === first && victims.length > 1) second = await world.startIssuer();
      }
      await workload.stop();
      await recoveredAfter(world, [...world.orders], Date.now());
      notes.kills = kills;
      void second;
      return recoverySeconds;
    },
  );

/**
 * (3) Provider outage (503 on every call) for 30 s (10 s short). The breaker opens, work goes down
 * the retry path without exhausting attempts, the backlog drains after the outage, nothing reaches
 * the DLQ.
 */
const providerOutage: Scenario = (options) =>
  withWorld(
    "provider-outage",
    { simulator: { latency: { kind: "fixed", ms: 20 } } },
    options,
    async (world, notes, problems) => {
      const issuer = await world.startIssuer();
      const workload = world.steadyWorkload(options.short ? 3 : 8);
      await warmUp(world, 10);
      const durationMs = options.short ? 10_000 : 30_000;
      world.sim.startOutage({ durationMs, mode: "503" });
      const startedAt = Date.now();
      await waitFor(() => Date.now() - startedAt >= durationMs && world.sim.report().outage === null, {
        timeoutMs: durationMs + 30_000,
        intervalMs: 200,
        description: "the outage to end",
      });
      const endedAt = Date.now();
      const pending = [...world.orders];
      const seconds = await recoveredAfter(world, pending, endedAt);
      await workload.stop();
      await recoveredAfter(world, [...world.orders], Date.now());
      const breakerLines = issuer.proc.logs.filter((l) => /breaker/i.test(String(l.msg ?? "")));
      notes.outageMs = durationMs;
      notes.outageRejected = world.sim.report().counters.faults.outageRejected;
      notes.breakerLogLines = breakerLines.slice(0, 6).map((l) => ({ msg: l.msg, state: l.state ?? l.to }));
      if (!breakerLines.some((l) => /open/i.test(JSON.stringify(l))))
        problems.push("no breaker-open log line seen");
      return seconds;
    },
  );

/**
 * (4) Latency spikes past the client timeout: for a while a third of the sends are held past the
 * issuer's timeout (half of them created anyway, after the issuer gave up), others answer slowly.
 * Unknown outcomes must be looked up before any resend: zero duplicates, every created invoice
 * adopted. The issuer's call timeout comes from the send lease (`providerCallTimeoutMs`: the call
 * ends a margin before `leaseUntil`, at most about 6.5 s with the harness's 8 s lease), so a hold of
 * 12 s is past it whatever the call's start.
 */
const SPIKE_HOLD_MS = 12_000;

const latencySpikes: Scenario = (options) =>
  withWorld(
    "latency-spikes",
    { simulator: { latency: { kind: "fixed", ms: 30 } } },
    options,
    async (world, notes, problems) => {
      await world.startIssuer();
      const workload = world.steadyWorkload(options.short ? 3 : 8);
      await warmUp(world, 10);
      world.sim.configure({
        latency: { kind: "lognormal", medianMs: 400, sigma: 1, maxMs: 4_000 },
        timeouts: { rate: 0.3, holdMs: SPIKE_HOLD_MS, createRate: 0.5 },
      });
      const spikeMs = options.short ? 10_000 : 30_000;
      // The fault lasts spikeMs: time is the scenario's subject, not a stand-in for a condition.
      await new Promise((resolve) => setTimeout(resolve, spikeMs));
      world.sim.configure({ latency: { kind: "fixed", ms: 30 }, timeouts: { rate: 0 } });
      const endedAt = Date.now();
      const pending = [...world.orders];
      const seconds = await recoveredAfter(world, pending, endedAt);
      await workload.stop();
      await recoveredAfter(world, [...world.orders], Date.now());
      const report = world.sim.report();
      notes.timeouts = report.counters.faults.timeouts;
      notes.timeoutsCreated = report.counters.faults.timeoutsCreated;
      notes.spikeMs = spikeMs;
      notes.holdMs = SPIKE_HOLD_MS;
      // Without a held send that was created anyway, the scenario did not test the lookup.
      if (report.counters.faults.timeoutsCreated === 0)
        problems.push("no send was held past the timeout and created anyway (nothing to look up)");
      if (report.counters.search.requests < report.counters.faults.timeouts)
        problems.push(
          `${report.counters.faults.timeouts} sends timed out but only ${report.counters.search.requests} lookups`,
        );
      return seconds;
    },
  );

/**
 * (5) A burst of poison records (garbage bytes, unknown schema id, truncated Avro) among good orders:
 * each poison record goes to the DLQ (reason deserialization), the partitions keep moving, every
 * good order is invoiced once.
 */
const poisonBurst: Scenario = (options) =>
  withWorld(
    "poison-burst",
    { simulator: { latency: { kind: "fixed", ms: 20 } } },
    options,
    async (world, notes, problems) => {
      await world.startIssuer();
      const workload = world.steadyWorkload(options.short ? 3 : 8);
      await warmUp(world, 5);
      const burst = options.short ? 15 : 60;
      for (let i = 0; i < burst; i += 5) {
        await world.producePoison(5);
        await world.produceOrders(2);
      }
      const burstAt = Date.now();
      const pending = [...world.orders];
      const seconds = await recoveredAfter(world, pending, burstAt);
      await workload.stop();
      await recoveredAfter(world, [...world.orders], Date.now());
      const dlq = await world.readTopic(world.topics.dlq, world.poison.length);
      const reasons = new Map<string, number>();
      for (const record of dlq) {
        const headers = record.headers as Record<string, unknown>;
        const reason = String(headers["dlq.reason"] ?? "?");
        reasons.set(reason, (reasons.get(reason) ?? 0) + 1);
      }
      notes.poison = world.poison.length;
      notes.dlqReasons = Object.fromEntries(reasons);
      if (dlq.length !== world.poison.length)
        problems.push(`${dlq.length} DLQ records for ${world.poison.length} poison records`);
      return seconds;
    },
  );

/**
 * (6) Kafka broker restart, on a private single-node broker of our own (never the shared one): the
 * broker is SIGKILLed mid-backlog and started again on the same data; the issuer stalls and resumes
 * by itself.
 */
const kafkaRestart: Scenario = async (options) => {
  const { createPrivateBroker } = await import("../../services/ingest/test/private-broker.ts");
  const broker = await createPrivateBroker();
  await broker.start();
  try {
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
const postgresRestart: Scenario = async (options) => {
  const { createPrivatePostgres } = await import("./private-postgres.ts");
  const postgres = await createPrivatePostgres();
  await postgres.start();
  try {
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

export const SCENARIOS: Record<string, Scenario> = {
  "sigkill-before-commit": sigkillBeforeCommit,
  "two-instances-kill-one": twoInstancesKillOne,
  "provider-outage": providerOutage,
  "latency-spikes": latencySpikes,
  "poison-burst": poisonBurst,
  "kafka-restart": kafkaRestart,
  "postgres-restart": postgresRestart,
};
