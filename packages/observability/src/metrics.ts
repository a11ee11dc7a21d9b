import { Counter, collectDefaultMetrics, Gauge, Histogram, type Metric, Registry } from "prom-client";

export interface CreateMetricsOptions {
  /** Default label on every series, so dashboards can split by service. */
  service: string;
  /** Node process metrics (CPU, memory, event-loop lag, GC); on by default. */
  defaultMetrics?: boolean;
}

/**
 * A fresh registry per service (not prom-client's global one), so tests and several apps in one
 * process never collide on metric names.
 */
export function createMetrics({ service, defaultMetrics = true }: CreateMetricsOptions): Registry {
  const registry = new Registry();
  registry.setDefaultLabels({ service });
  if (defaultMetrics) collectDefaultMetrics({ register: registry });
  return registry;
}

/** Latency buckets in seconds, from a cache hit (5 ms) to a slow provider call (30 s). */
export const DEFAULT_SECONDS_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

interface MetricSpec<L extends string> {
  /** snake_case stem without prefix or suffix: "records_processed" → invoice_records_processed_total. */
  name: string;
  help: string;
  labelNames?: readonly L[];
}

const STEM = /^[a-z][a-z0-9]*(?:_[a-z0-9]+)*$/;

function metricName(stem: string, suffix: string): string {
  if (!STEM.test(stem) || stem.startsWith("invoice_") || /_(total|seconds)$/.test(stem)) {
    throw new TypeError(
      `metric name stem must be snake_case without the invoice_ prefix or a unit suffix: "${stem}"`,
    );
  }
  return `invoice_${stem}${suffix}`;
}

/**
 * Returns the metric already registered under `name`, or registers a new one: composition code may
 * build the same instrumentation twice (two routers, a restarted component) without a "metric already
 * registered" crash. A clash of type or labels is a programming error and throws.
 */
function getOrCreate<M extends Metric>(
  registry: Registry,
  name: string,
  type: abstract new (...args: never[]) => M,
  labelNames: readonly string[],
  create: () => M,
): M {
  const existing = registry.getSingleMetric(name);
  if (existing === undefined) return create();
  const existingLabels = (existing as unknown as { labelNames?: readonly string[] }).labelNames ?? [];
  if (!(existing instanceof type) || existingLabels.join(",") !== labelNames.join(",")) {
    throw new TypeError(`metric ${name} is already registered with a different type or labels`);
  }
  return existing;
}

/** `invoice_<name>_total` counter. */
export function invoiceCounter<L extends string = never>(
  registry: Registry,
  spec: MetricSpec<L>,
): Counter<L> {
  const name = metricName(spec.name, "_total");
  const labelNames = spec.labelNames ?? [];
  return getOrCreate(registry, name, Counter<L>, labelNames, () => {
    return new Counter<L>({ name, help: spec.help, labelNames, registers: [registry] });
  });
}

/** `invoice_<name>_seconds` histogram (observe seconds, or use `startTimer()`). */
export function invoiceHistogram<L extends string = never>(
  registry: Registry,
  spec: MetricSpec<L> & { buckets?: readonly number[] },
): Histogram<L> {
  const name = metricName(spec.name, "_seconds");
  const labelNames = spec.labelNames ?? [];
  return getOrCreate(registry, name, Histogram<L>, labelNames, () => {
    const buckets = [...(spec.buckets ?? DEFAULT_SECONDS_BUCKETS)];
    return new Histogram<L>({ name, help: spec.help, labelNames, buckets, registers: [registry] });
  });
}

/**
 * `invoice_<name>` gauge (breaker state, in-flight work). Metrics with an ecosystem-wide name, such as
 * `kafka_consumergroup_lag` (kafka_exporter's, which the common dashboards expect), use prom-client directly.
 */
export function invoiceGauge<L extends string = never>(registry: Registry, spec: MetricSpec<L>): Gauge<L> {
  const name = metricName(spec.name, "");
  const labelNames = spec.labelNames ?? [];
  return getOrCreate(registry, name, Gauge<L>, labelNames, () => {
    return new Gauge<L>({ name, help: spec.help, labelNames, registers: [registry] });
  });
}
