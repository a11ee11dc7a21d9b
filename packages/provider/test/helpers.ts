import { createLogger, createMetrics, type Logger, type Registry } from "@invoice/observability";
import {
  type RunningSimulator,
  type SimulatorConfigInput,
  startSimulator,
} from "@invoice/provider-simulator";
import { afterEach } from "vitest";
import { SInvoiceAdapter, type SInvoiceAdapterOptions } from "../src/index.ts";

export interface Harness {
  simulator: RunningSimulator;
  adapter: SInvoiceAdapter;
  registry: Registry;
  logger: Logger;
  /** Parsed log lines written so far. */
  logs: () => Record<string, unknown>[];
}

/**
 * `start()` gives a fresh simulator on an ephemeral port and an adapter pointed at it; both are
 * closed after each test, so a failing assertion never leaves a port open.
 */
export function useHarness(): (
  config?: SimulatorConfigInput,
  adapterOptions?: Partial<SInvoiceAdapterOptions>,
) => Promise<Harness> {
  const open: Harness[] = [];
  afterEach(async () => {
    for (const h of open.splice(0)) {
      await h.adapter.close();
      await h.simulator.close();
    }
  });
  return async (config = {}, adapterOptions = {}) => {
    const simulator = await startSimulator({ port: 0, config });
    const lines: string[] = [];
    const logger = createLogger({
      service: "provider-test",
      level: "debug",
      destination: { write: (l) => void lines.push(l) },
    });
    const adapter = new SInvoiceAdapter({
      baseUrl: simulator.baseUrl,
      authUrl: simulator.authUrl,
      // Generous: the machine is shared and loaded; tests about timeouts set their own.
      timeouts: { createMs: 30_000, lookupMs: 30_000, loginMs: 30_000, connectMs: 10_000 },
      logger,
      ...adapterOptions,
    });
    const harness: Harness = {
      simulator,
      adapter,
      registry: createMetrics({ service: "provider-test", defaultMetrics: false }),
      logger,
      logs: () => lines.map((l) => JSON.parse(l) as Record<string, unknown>),
    };
    open.push(harness);
    return harness;
  };
}
