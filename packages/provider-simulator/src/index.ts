// Public API of @invoice/provider-simulator: an SInvoice look-alike HTTP server for tests, the stack
// and benchmarks (README.md describes the endpoints, the admin API and the behaviours).
export {
  type OutageInput,
  type SimulatorConfig,
  SimulatorConfigError,
  type SimulatorConfigInput,
  simulatorConfigSchema,
} from "./config.ts";
export type { SimulatorReport } from "./report.ts";
export { API_PREFIX, type RunningSimulator, type StartSimulatorOptions, startSimulator } from "./server.ts";
export { type ParsedInvoice, type Validation, validateInvoice } from "./validate-invoice.ts";
