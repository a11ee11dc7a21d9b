/**
 * What every chaos scenario shares: its result shape, the world it runs in with the common checks at
 * the end (`withWorld`), and the waits on the orders' progress.
 */
import { connect } from "@invoice/db/testing";
import { waitFor } from "@invoice/testing";
import { type CheckResult, verify } from "./checks.ts";
import { type ChaosWorld, type ChaosWorldOptions, createChaosWorld } from "./harness.ts";

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

export type Scenario = (options: ScenarioOptions) => Promise<ScenarioResult>;

/** The slowest a busy 2-core machine may take to drain what a scenario queued. */
const DRAIN_TIMEOUT_MS = 240_000;

export async function issuedAmong(world: ChaosWorld, orderIds: string[]): Promise<number> {
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
export async function recoveredAfter(world: ChaosWorld, orderIds: string[], since: number): Promise<number> {
  await waitFor(async () => (await issuedAmong(world, orderIds)) === orderIds.length, {
    timeoutMs: DRAIN_TIMEOUT_MS,
    intervalMs: 200,
    description: `${orderIds.length} orders issued after the fault`,
  });
  return Math.round((Date.now() - since) / 100) / 10;
}

export async function warmUp(world: ChaosWorld, count: number): Promise<void> {
  await waitFor(async () => (await issuedAmong(world, world.orders)) >= count, {
    timeoutMs: 120_000,
    intervalMs: 200,
    description: `the first ${count} orders issued (warm-up)`,
  });
}

export async function withWorld(
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
      notes: Object.assign(notes, { stderr: tail.slice(-2_000) }),
      problems: [...problems, message],
    };
  } finally {
    // A cleanup failure must not replace the scenario's own result (a failed run's cause above all):
    // it is reported beside it, in the notes and the progress lines.
    await world.close().catch((error: unknown) => {
      const message = error instanceof Error ? error.message : String(error);
      notes.cleanupError = message;
      options.log?.(`${name}: cleanup failed (${message})`);
    });
  }
}
