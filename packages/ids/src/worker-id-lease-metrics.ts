import { invoiceCounter, invoiceGauge, type Registry } from "@invoice/observability";

export interface LeaseMetrics {
  held(workerId: number): void;
  lost(workerId: number): void;
  released(): void;
  refused(): void;
}

const NONE: LeaseMetrics = { held: () => {}, lost: () => {}, released: () => {}, refused: () => {} };

/**
 * - `invoice_worker_id_lease_held` 1 while ids may be issued, 0 otherwise (alert when 0 for long);
 * - `invoice_worker_id_lease_worker_id` the leased worker id, -1 while none;
 * - `invoice_worker_id_lease_lost_total` leases lost with their connection or proof;
 * - `invoice_worker_id_lease_refused_ids_total` ids refused for want of a lease.
 */
export function leaseMetrics(registry: Registry | undefined): LeaseMetrics {
  if (registry === undefined) return NONE;
  const held = invoiceGauge(registry, {
    name: "worker_id_lease_held",
    help: "1 while this process holds a Snowflake worker id lease and may issue ids",
  });
  const workerId = invoiceGauge(registry, {
    name: "worker_id_lease_worker_id",
    help: "The Snowflake worker id this process has leased, -1 while none",
  });
  const lost = invoiceCounter(registry, {
    name: "worker_id_lease_lost",
    help: "Worker id leases lost (connection dropped, lock gone, heartbeat unanswered)",
  });
  const refused = invoiceCounter(registry, {
    name: "worker_id_lease_refused_ids",
    help: "Ids refused because no worker id lease was held",
  });
  held.set(0);
  workerId.set(-1);
  return {
    held: (id) => {
      held.set(1);
      workerId.set(id);
    },
    lost: () => {
      held.set(0);
      workerId.set(-1);
      lost.inc();
    },
    released: () => {
      held.set(0);
      workerId.set(-1);
    },
    refused: () => refused.inc(),
  };
}
