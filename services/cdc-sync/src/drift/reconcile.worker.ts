import type { Logger } from "@invoice/observability";
import { type ReconcileOptions, reconcileTaxInfo } from "./reconcile-tax-info.ts";

/**
 * Runs the reconciliation every `intervalMs` (first run one interval after start, so a restarting
 * service does not stampede commerce's database). A failed run is logged and counted
 * (invoice_taxinfo_drift_runs_total{result="failed"}) and the next one runs on schedule. `stop()`
 * waits for a run in progress.
 */
export function createReconcileWorker(options: ReconcileOptions & { intervalMs: number; logger: Logger }) {
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<unknown> | undefined;
  let stopped = false;
  const schedule = () => {
    if (stopped) return;
    timer = setTimeout(() => {
      running = reconcileTaxInfo(options)
        .catch(() => undefined) // logged and counted inside
        .finally(() => {
          running = undefined;
          schedule();
        });
    }, options.intervalMs);
    timer.unref();
  };
  return {
    start() {
      if (options.intervalMs > 0) schedule();
    },
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await running;
    },
  };
}
