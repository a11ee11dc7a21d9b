import type { LifecycleLogger } from "./lifecycle-logger.ts";
import type { ShutdownManager } from "./shutdown-manager.ts";

/** Exit codes: 0 when every step stopped cleanly, 1 when any failed, timed out, or the exit was forced. */
export const EXIT_CLEAN = 0;
export const EXIT_FAILED = 1;

export interface ProcessExitOptions {
  logger: LifecycleLogger;
  /** Defaults to `process.exit`; injected in tests. */
  exit?: (code: number) => void;
  /**
   * Safety net beyond the manager's own per-step time boxes (for example a step that blocks the event
   * loop): exit anyway this long after the grace period. Default 2000 ms.
   */
  forceExitMarginMs?: number;
}

/**
 * The one way a service process ends: run the shutdown once, then exit. Signals and fatal component
 * errors both come through here, so a consumer that dies during a SIGTERM shutdown still makes the exit
 * code 1, and nothing calls `process.exit` while another path is still draining.
 */
export interface ProcessExit {
  /**
   * Starts the shutdown (once) and exits when it ends: 0 if every step stopped and nothing fatal was
   * reported, else 1. Later calls only log. If the shutdown overruns the grace period by the margin,
   * exits 1 anyway.
   */
  shutdownAndExit(reason: string): void;
  /**
   * A component stopped for good (a consumer that left its group, a lease that was lost): logs it,
   * shuts the rest down in the documented order, and exits 1, so the orchestrator starts a fresh
   * process instead of leaving one that looks alive and does nothing.
   */
  fatal(source: string, error: unknown): void;
  /** Exits 1 at once, for an operator who decided not to wait. */
  forceExit(reason: string): void;
  /** True once a shutdown was started through this object. */
  readonly exiting: boolean;
}

export function createProcessExit(manager: ShutdownManager, options: ProcessExitOptions): ProcessExit {
  const { logger, exit = (code: number) => process.exit(code), forceExitMarginMs = 2000 } = options;
  let started = false;
  let exited = false;
  let fatalReported = false;
  let forceTimer: NodeJS.Timeout | undefined;

  const exitOnce = (code: number) => {
    if (exited) return;
    exited = true;
    clearTimeout(forceTimer);
    exit(code);
  };

  const begin = (reason: string) => {
    if (started) return false;
    started = true;
    forceTimer = setTimeout(() => {
      logger.error(
        { reason, gracePeriodMs: manager.gracePeriodMs },
        "shutdown overran the grace period, forcing exit",
      );
      exitOnce(EXIT_FAILED);
    }, manager.gracePeriodMs + forceExitMarginMs);
    forceTimer.unref();
    void manager.shutdown(reason).then(
      (report) => exitOnce(report.ok && !fatalReported ? EXIT_CLEAN : EXIT_FAILED),
      (error: unknown) => {
        logger.error({ reason, err: error }, "shutdown crashed");
        exitOnce(EXIT_FAILED);
      },
    );
    return true;
  };

  return {
    get exiting() {
      return started;
    },
    shutdownAndExit(reason) {
      begin(reason);
    },
    fatal(source, error) {
      fatalReported = true;
      logger.error({ component: source, err: error }, "component stopped for good; shutting down to exit 1");
      begin(`fatal: ${source}`);
    },
    forceExit(reason) {
      logger.error({ reason }, "shutdown forced");
      exitOnce(EXIT_FAILED);
    },
  };
}
