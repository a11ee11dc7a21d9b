/**
 * The chaos scenarios (issue 14 "Chaos", issue 9 "Exactly once at the provider"). Each one builds its
 * own world (harness.ts), runs the issuer under a steady workload, injects one kind of failure, lets
 * the platform recover by itself, and ends with the common checks (checks.ts) plus its own. `short`
 * is the variant the test command runs; the long one is `pnpm chaos`.
 */
import { waitFor } from "@invoice/testing";
import { SELLER_TAX_CODE } from "./harness.ts";
import { redisRestart } from "./redis-restart.ts";
import { kafkaRestart, postgresRestart, sigkillBeforePublish } from "./restart-scenarios.ts";
import { recoveredAfter, type Scenario, warmUp, withWorld } from "./scenario-support.ts";

export type { ScenarioOptions, ScenarioResult } from "./scenario-support.ts";

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

export const SCENARIOS: Record<string, Scenario> = {
  "sigkill-before-commit": sigkillBeforeCommit,
  "two-instances-kill-one": twoInstancesKillOne,
  "provider-outage": providerOutage,
  "latency-spikes": latencySpikes,
  "poison-burst": poisonBurst,
  "kafka-restart": kafkaRestart,
  "postgres-restart": postgresRestart,
  "sigkill-before-publish": sigkillBeforePublish,
  "redis-restart": redisRestart,
};
