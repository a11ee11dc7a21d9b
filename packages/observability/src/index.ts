export type { Counter, Gauge, Histogram, Registry } from "prom-client";
export { type CreateLoggerOptions, createLogger, type Logger } from "./logger.ts";
export {
  type CreateMetricsOptions,
  createMetrics,
  DEFAULT_SECONDS_BUCKETS,
  invoiceCounter,
  invoiceGauge,
  invoiceHistogram,
} from "./metrics.ts";
export {
  CIRCULAR,
  foldName,
  isSecretName,
  REDACTED,
  redactText,
  redactValue,
  SECRET_NAME_RULES,
  TRUNCATED,
} from "./redaction.ts";
