import { type Admin, type PartitionLag, readConsumerLag } from "@invoice/kafka";
import { invoiceCounter, type Logger, type Registry } from "@invoice/observability";
import { Gauge } from "prom-client";
import type { KafkaServiceClient } from "./clients/kafka.ts";
import type { Service, ServiceComponent } from "./service.ts";

/**
 * Consumer lag under kafka_exporter's names and labels, so the common Grafana dashboards and our
 * alerts work unchanged:
 *   kafka_consumergroup_lag{consumergroup,topic,partition}
 *   kafka_consumergroup_lag_sum{consumergroup,topic}
 *   kafka_consumergroup_current_offset{consumergroup,topic,partition}
 *   kafka_topic_partition_current_offset{topic,partition}
 * Read from the admin API every `intervalMs` (not on scrape: a scrape must not wait on the broker),
 * for the groups the service names (its own), so every label is bounded: a fixed list of groups, the
 * topics they commit for, their partitions. A failed read keeps the last values and counts
 * `invoice_consumer_lag_read_failures_total`; `invoice_consumer_lag_read_age_seconds` tells how old
 * the values are, so a stale 0 is not taken for "caught up".
 */
export interface ConsumerLagMetricsOptions {
  registry: Registry;
  admin: Admin;
  groups: readonly string[];
  /** Default 15 s (Prometheus' usual scrape interval). */
  intervalMs?: number;
  logger: Logger;
  now?: () => number;
}

export interface ConsumerLagMetrics extends ServiceComponent {
  /** One read now (also what the timer runs); resolves with what was read, undefined on failure. */
  refresh(): Promise<PartitionLag[] | undefined>;
}

function gauge<L extends string>(registry: Registry, name: string, help: string, labelNames: L[]): Gauge<L> {
  const existing = registry.getSingleMetric(name);
  if (existing instanceof Gauge) return existing as Gauge<L>;
  return new Gauge<L>({ name, help, labelNames, registers: [registry] });
}

export function createConsumerLagMetrics(options: ConsumerLagMetricsOptions): ConsumerLagMetrics {
  const { registry, admin, groups, logger } = options;
  const now = options.now ?? Date.now;
  const intervalMs = options.intervalMs ?? 15_000;
  const lag = gauge(
    registry,
    "kafka_consumergroup_lag",
    "Consumer group lag per partition (high watermark minus committed offset)",
    ["consumergroup", "topic", "partition"],
  );
  const lagSum = gauge(
    registry,
    "kafka_consumergroup_lag_sum",
    "Consumer group lag summed over the topic's partitions",
    ["consumergroup", "topic"],
  );
  const current = gauge(
    registry,
    "kafka_consumergroup_current_offset",
    "Committed offset of the group per partition",
    ["consumergroup", "topic", "partition"],
  );
  const end = gauge(
    registry,
    "kafka_topic_partition_current_offset",
    "Log-end offset (high watermark) per partition",
    ["topic", "partition"],
  );
  const failures = invoiceCounter(registry, {
    name: "consumer_lag_read_failures",
    help: "Lag reads from the admin API that failed (the last values are kept)",
  });
  let lastRead: number | undefined;
  // Computed at scrape time from the last successful read; -1 before the first one.
  const ageName = "invoice_consumer_lag_read_age_seconds";
  if (!registry.getSingleMetric(ageName)) {
    new Gauge({
      name: ageName,
      help: "Seconds since the lag values were last read successfully (-1: not yet)",
      registers: [registry],
      collect() {
        this.set(lastRead === undefined ? -1 : (now() - lastRead) / 1000);
      },
    });
  }
  let timer: NodeJS.Timeout | undefined;
  let inFlight: Promise<PartitionLag[] | undefined> | undefined;

  const read = async (): Promise<PartitionLag[] | undefined> => {
    try {
      await admin.connect();
      const rows = await readConsumerLag(admin, { groups });
      // Replace every series: a partition or topic the group no longer commits for disappears.
      lag.reset();
      lagSum.reset();
      current.reset();
      end.reset();
      const sums = new Map<string, { consumergroup: string; topic: string; sum: number }>();
      for (const row of rows) {
        const labels = { consumergroup: row.group, topic: row.topic, partition: String(row.partition) };
        lag.set(labels, row.lag);
        if (row.committed !== "-1") current.set(labels, Number(row.committed));
        end.set({ topic: row.topic, partition: String(row.partition) }, Number(row.high));
        const key = `${row.group}\u0000${row.topic}`;
        const entry = sums.get(key) ?? { consumergroup: row.group, topic: row.topic, sum: 0 };
        entry.sum += row.lag;
        sums.set(key, entry);
      }
      for (const { consumergroup, topic, sum } of sums.values()) lagSum.set({ consumergroup, topic }, sum);
      lastRead = now();
      return rows;
    } catch (error) {
      failures.inc();
      logger.warn(
        { err: error, groups },
        "consumer lag could not be read from the admin API; keeping the last values",
      );
      return undefined;
    }
  };

  const refresh = () => {
    inFlight ??= read().finally(() => {
      inFlight = undefined;
    });
    return inFlight;
  };

  return {
    refresh,
    start() {
      if (timer) return;
      // The first read in the background: a broker that is slow at start-up must not delay the start.
      void refresh();
      timer = setInterval(() => void refresh(), intervalMs);
      timer.unref();
    },
    async stop() {
      if (timer) clearInterval(timer);
      timer = undefined;
      await inFlight;
    },
  };
}

/**
 * The one line a service's main.ts adds: lag of its own consumer groups on its /metrics, read with
 * the service's admin connection, stopped with the clients.
 *
 *   await addConsumerLagMetrics(service, kafka, [commerceGroup, webhooksGroup], logger);
 */
export async function addConsumerLagMetrics(
  service: Service,
  kafka: KafkaServiceClient,
  groups: readonly string[],
  logger: Logger,
  options: { intervalMs?: number } = {},
): Promise<ConsumerLagMetrics> {
  const metrics = createConsumerLagMetrics({
    registry: service.metrics,
    admin: kafka.admin,
    groups,
    logger,
    ...(options.intervalMs === undefined ? {} : { intervalMs: options.intervalMs }),
  });
  await service.addComponent("consumer lag metrics", metrics, { phase: "close", readiness: false });
  return metrics;
}
