import type { LifecycleLogger } from "./lifecycle-logger.ts";
import type { ShutdownManager } from "./shutdown-manager.ts";

/** Where signals come from: `process`, or an EventEmitter in tests. */
export interface SignalSource {
  on(event: NodeJS.Signals, listener: (signal: NodeJS.Signals) => void): unknown;
  off(event: NodeJS.Signals, listener: (signal: NodeJS.Signals) => void): unknown;
}

export interface SignalHandlerOptions {
  logger: LifecycleLogger;
  signals?: readonly NodeJS.Signals[];
  /** Defaults to `process.exit`; injected in tests. */
  exit?: (code: number) => void;
  source?: SignalSource;
  /**
   * Safety net beyond the manager's own per-step time boxes (for example a step that blocks the event
   * loop): exit anyway this long after the grace period. Default 2000 ms.
   */
  forceExitMarginMs?: number;
}

/** Exit codes: 0 when every step stopped cleanly, 1 when any failed, timed out, or the exit was forced. */
export const EXIT_CLEAN = 0;
export const EXIT_FAILED = 1;

/**
 * Turns termination signals into one orderly shutdown followed by an exit.
 *
 * - 1st signal: starts `manager.shutdown(signal)`, then exits with 0 or 1 by its outcome.
 * - 2nd signal (of any of the listened kinds) while stopping: logged and ignored — it does not restart
 *   the shutdown. Orchestrators and impatient terminals often send more than one.
 * - 3rd signal: exits immediately with 1, for an operator who decided not to wait.
 * - If the shutdown has not finished `forceExitMarginMs` after the grace period, exits with 1.
 *
 * Returns a function that removes the handlers.
 */
export function installSignalHandlers(manager: ShutdownManager, options: SignalHandlerOptions): () => void {
  const {
    logger,
    signals = ["SIGTERM", "SIGINT"],
    exit = (code: number) => process.exit(code),
    source = process,
    forceExitMarginMs = 2000,
  } = options;
  let received = 0;
  let exited = false;
  let forceTimer: NodeJS.Timeout | undefined;

  const exitOnce = (code: number) => {
    if (exited) return;
    exited = true;
    clearTimeout(forceTimer);
    exit(code);
  };

  const onSignal = (signal: NodeJS.Signals) => {
    received += 1;
    if (received === 1) {
      logger.info({ signal }, "shutdown signal received");
      forceTimer = setTimeout(() => {
        logger.error(
          { signal, gracePeriodMs: manager.gracePeriodMs },
          "shutdown overran the grace period, forcing exit",
        );
        exitOnce(EXIT_FAILED);
      }, manager.gracePeriodMs + forceExitMarginMs);
      forceTimer.unref();
      void manager.shutdown(signal).then(
        (report) => exitOnce(report.ok ? EXIT_CLEAN : EXIT_FAILED),
        (error: unknown) => {
          logger.error({ signal, err: error }, "shutdown crashed");
          exitOnce(EXIT_FAILED);
        },
      );
    } else if (received === 2) {
      logger.warn({ signal }, "shutdown already in progress; send the signal once more to force exit");
    } else {
      logger.error({ signal }, "shutdown forced by repeated signal");
      exitOnce(EXIT_FAILED);
    }
  };

  for (const signal of signals) source.on(signal, onSignal);
  return () => {
    clearTimeout(forceTimer);
    for (const signal of signals) source.off(signal, onSignal);
  };
}
