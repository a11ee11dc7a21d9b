import { PlatformError } from "@invoice/errors";
import type { Component } from "./component.ts";
import type { LifecycleLogger } from "./lifecycle-logger.ts";
import { isShutdownPhase, SHUTDOWN_PHASES, type ShutdownPhase } from "./shutdown-phases.ts";

/**
 * One thing to stop at shutdown. `stop` receives a signal that aborts when the step's time budget runs
 * out, so a drain loop can give up early (and commit what it finished) instead of being abandoned mid-way.
 */
export interface ShutdownStep {
  /** Unique among the manager's steps; appears in every shutdown log line. */
  name: string;
  /** When it stops, relative to the others (see SHUTDOWN_PHASES). */
  phase: ShutdownPhase;
  stop(signal: AbortSignal): Promise<void> | void;
  /**
   * Relative share of the grace period (default 1). A phase gets the largest weight among its steps;
   * give draining steps more than closing a pool.
   */
  weight?: number;
}

export type ShutdownStepOutcome = "stopped" | "failed" | "timed_out" | "skipped";

export interface ShutdownStepReport {
  name: string;
  phase: ShutdownPhase;
  outcome: ShutdownStepOutcome;
  budgetMs: number;
  durationMs: number;
  error?: unknown;
}

export interface ShutdownReport {
  reason: string;
  /** True when every step stopped within its budget. */
  ok: boolean;
  durationMs: number;
  /** In the order they ran: by phase, then by registration within a phase. */
  steps: ShutdownStepReport[];
}

export interface ShutdownManagerOptions {
  /** Total time for all steps (SHUTDOWN_GRACE_MS); keep it below the orchestrator's kill timeout. */
  gracePeriodMs: number;
  logger: LifecycleLogger;
  /** Monotonic milliseconds; injectable for tests. */
  now?: () => number;
}

export type ShutdownState = "running" | "stopping" | "stopped";

/** A step registered after shutdown began: it would never be stopped. Not retriable. */
export class ShutdownInProgressError extends PlatformError {
  override readonly name = "ShutdownInProgressError";
  declare readonly code: "SHUTDOWN_IN_PROGRESS";
  /** The step that came too late. */
  readonly step: string;

  constructor(message: string, options: { step: string; cause?: unknown }) {
    super("SHUTDOWN_IN_PROGRESS", message, { retriable: false, cause: options.cause });
    this.step = options.step;
  }
}

/**
 * Stops registered steps phase by phase (intake → drain → commit → flush → close, SHUTDOWN_PHASES), so
 * the documented order holds however and whenever the steps were registered: a producer a service adds
 * after its HTTP server still stops after HTTP intake.
 *
 * Each phase gets a share of the time still left (by weight), so time a fast phase does not use rolls
 * over to the later ones; the steps of a phase run concurrently with the phase's budget each, and a step
 * that overruns is abandoned (logged as timed out, its signal aborted) and the next phase starts. A
 * failing or hanging step never prevents the rest from running: the database must still be closed when
 * the consumer's stop threw.
 *
 * `shutdown()` is idempotent: every call returns the same promise, a second call never restarts it.
 */
export class ShutdownManager {
  readonly gracePeriodMs: number;
  private readonly steps: ShutdownStep[] = [];
  private readonly logger: LifecycleLogger;
  private readonly now: () => number;
  private running: Promise<ShutdownReport> | undefined;
  private finished = false;

  constructor(options: ShutdownManagerOptions) {
    if (!Number.isInteger(options.gracePeriodMs) || options.gracePeriodMs <= 0) {
      throw new RangeError("gracePeriodMs must be a positive integer");
    }
    this.gracePeriodMs = options.gracePeriodMs;
    this.logger = options.logger;
    this.now = options.now ?? (() => performance.now());
  }

  get state(): ShutdownState {
    if (this.running === undefined) return "running";
    return this.finished ? "stopped" : "stopping";
  }

  /** Registers a step. Throws once shutdown has begun (it would never be stopped). */
  register(step: ShutdownStep): void {
    if (this.running) {
      throw new ShutdownInProgressError(`cannot register "${step.name}": shutdown has already started`, {
        step: step.name,
      });
    }
    if (this.steps.some((existing) => existing.name === step.name)) {
      throw new Error(`a shutdown step named "${step.name}" is already registered`);
    }
    if (!isShutdownPhase(step.phase)) {
      throw new RangeError(`phase of "${step.name}" must be one of ${SHUTDOWN_PHASES.join(", ")}`);
    }
    const weight = step.weight ?? 1;
    if (!(weight > 0) || !Number.isFinite(weight))
      throw new RangeError(`weight of "${step.name}" must be > 0`);
    this.steps.push(step);
  }

  /** Registers a {@link Component} under a name (its `stop` ignores the abort signal). */
  registerComponent(
    name: string,
    component: Component,
    options: { phase: ShutdownPhase; weight?: number },
  ): void {
    this.register({ name, stop: () => component.stop(), ...options });
  }

  /** The registered steps grouped by phase, in the order shutdown will run them (empty phases left out). */
  plan(): Array<{ phase: ShutdownPhase; steps: string[] }> {
    return this.phases().map(({ phase, steps }) => ({ phase, steps: steps.map((step) => step.name) }));
  }

  shutdown(reason: string): Promise<ShutdownReport> {
    this.running ??= this.run(reason).finally(() => {
      this.finished = true;
    });
    return this.running;
  }

  private phases(): Array<{ phase: ShutdownPhase; steps: ShutdownStep[] }> {
    return SHUTDOWN_PHASES.map((phase) => ({
      phase,
      steps: this.steps.filter((step) => step.phase === phase),
    })).filter((group) => group.steps.length > 0);
  }

  private async run(reason: string): Promise<ShutdownReport> {
    const startedAt = this.now();
    const deadline = startedAt + this.gracePeriodMs;
    const phases = this.phases();
    this.logger.info(
      {
        reason,
        gracePeriodMs: this.gracePeriodMs,
        steps: phases.flatMap((group) => group.steps.map((step) => step.name)),
        phases: this.plan(),
      },
      "shutdown started",
    );

    const weightOf = (steps: ShutdownStep[]) => Math.max(...steps.map((step) => step.weight ?? 1));
    const reports: ShutdownStepReport[] = [];
    let weightLeft = phases.reduce((sum, group) => sum + weightOf(group.steps), 0);
    for (const group of phases) {
      const weight = weightOf(group.steps);
      const remaining = deadline - this.now();
      const budgetMs = Math.max(0, Math.floor((remaining * weight) / weightLeft));
      weightLeft -= weight;
      reports.push(...(await Promise.all(group.steps.map((step) => this.runStep(step, budgetMs)))));
    }

    const failed = reports.filter((step) => step.outcome !== "stopped").map((step) => step.name);
    const report: ShutdownReport = {
      reason,
      ok: failed.length === 0,
      durationMs: Math.round(this.now() - startedAt),
      steps: reports,
    };
    const fields = { reason, durationMs: report.durationMs, failed };
    if (report.ok) this.logger.info(fields, "shutdown finished");
    else this.logger.error(fields, "shutdown finished with failures");
    return report;
  }

  private async runStep(step: ShutdownStep, budgetMs: number): Promise<ShutdownStepReport> {
    const base = { name: step.name, phase: step.phase, budgetMs };
    const fields = { step: step.name, phase: step.phase };
    if (budgetMs <= 0) {
      this.logger.warn(fields, "shutdown step skipped: grace period exhausted");
      return { ...base, outcome: "skipped", durationMs: 0 };
    }
    this.logger.info({ ...fields, budgetMs }, "shutdown step started");
    const startedAt = this.now();
    const abort = new AbortController();
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<"timed_out">((resolve) => {
      timer = setTimeout(() => resolve("timed_out"), budgetMs);
    });
    try {
      const outcome = await Promise.race([Promise.resolve().then(() => step.stop(abort.signal)), timedOut]);
      const durationMs = Math.round(this.now() - startedAt);
      if (outcome === "timed_out") {
        abort.abort(new Error(`shutdown step "${step.name}" exceeded its ${budgetMs} ms budget`));
        this.logger.error({ ...fields, budgetMs, durationMs }, "shutdown step timed out");
        return { ...base, outcome: "timed_out", durationMs };
      }
      this.logger.info({ ...fields, durationMs }, "shutdown step stopped");
      return { ...base, outcome: "stopped", durationMs };
    } catch (error) {
      const durationMs = Math.round(this.now() - startedAt);
      this.logger.error({ ...fields, durationMs, err: error }, "shutdown step failed");
      return { ...base, outcome: "failed", durationMs, error };
    } finally {
      clearTimeout(timer);
    }
  }
}
