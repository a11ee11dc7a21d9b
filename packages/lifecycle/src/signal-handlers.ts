import type { LifecycleLogger } from "./lifecycle-logger.ts";
import { createProcessExit, type ProcessExit, type ProcessExitOptions } from "./process-exit.ts";
import type { ShutdownManager } from "./shutdown-manager.ts";

/** Where signals come from: `process`, or an EventEmitter in tests. */
export interface SignalSource {
  on(event: NodeJS.Signals, listener: (signal: NodeJS.Signals) => void): unknown;
  off(event: NodeJS.Signals, listener: (signal: NodeJS.Signals) => void): unknown;
}

export interface SignalHandlerOptions extends ProcessExitOptions {
  logger: LifecycleLogger;
  signals?: readonly NodeJS.Signals[];
  source?: SignalSource;
  /**
   * The process's exit path, shared with fatal component errors (see createProcessExit). Made from
   * `exit` and `forceExitMarginMs` when absent.
   */
  processExit?: ProcessExit;
}

/**
 * Turns termination signals into one orderly shutdown followed by an exit.
 *
 * - 1st signal: starts `manager.shutdown(signal)`, then exits with 0 or 1 by its outcome.
 * - 2nd signal (of any of the listened kinds) while stopping: logged and ignored — it does not restart
 *   the shutdown. Orchestrators and impatient terminals often send more than one.
 * - 3rd signal: exits immediately with 1, for an operator who decided not to wait.
 * - If the shutdown has not finished `forceExitMarginMs` after the grace period, exits with 1.
 *
 * A signal arriving after a fatal component error started the shutdown counts as the 2nd.
 * Returns a function that removes the handlers.
 */
export function installSignalHandlers(manager: ShutdownManager, options: SignalHandlerOptions): () => void {
  const { logger, signals = ["SIGTERM", "SIGINT"], source = process } = options;
  const processExit = options.processExit ?? createProcessExit(manager, options);
  let received = 0;

  const onSignal = (signal: NodeJS.Signals) => {
    received += processExit.exiting && received === 0 ? 2 : 1;
    if (received === 1) {
      logger.info({ signal }, "shutdown signal received");
      processExit.shutdownAndExit(signal);
    } else if (received === 2) {
      logger.warn({ signal }, "shutdown already in progress; send the signal once more to force exit");
    } else {
      logger.error({ signal }, "shutdown forced by repeated signal");
      processExit.forceExit(`repeated ${signal}`);
    }
  };

  for (const signal of signals) source.on(signal, onSignal);
  return () => {
    for (const signal of signals) source.off(signal, onSignal);
  };
}
