/**
 * Events applied to the database (domain README "The issuer's contract", Applying events), grouped:
 * every event handed to `commit` while a transaction is running waits for the next one, and one
 * transaction applies the whole group (ADR 0019). Per group: one statement loads the states and
 * filters the events already processed, two load the merchants' profiles, one the invoice rows;
 * `decide` runs per event in memory; then one statement each writes the states with their
 * ProcessedEvent rows, the new invoice rows (with their immutable seller/provider snapshot), the
 * invoice updates, the provider attempt log and the audit rows; claim rows take one statement per
 * claim change. Nothing leaves the process here: the caller performs each decision's calls and
 * publications after the commit.
 *
 * A group holds at most one event per order (an order's next event waits for the next group), so the
 * events of a group are independent. When a group's transaction fails for good (a constraint, a bug),
 * or waits too long for a row another session holds (lock_timeout), its events are applied again one
 * per transaction, so only the event at fault (or held up) gets the error; another retriable failure
 * (an outage, an order written concurrently by another instance) is returned to every event of the
 * group, whose callers retry.
 */
import { randomUUID } from "node:crypto";
import {
  type JsonObject,
  loadOrderStates,
  type OrderStateWrite,
  type Prisma,
  type PrismaClient,
  recordProcessedEvents,
  writeOrderStates,
} from "@invoice/db";
import { type Decision, decide, type Effect, type IssuanceEvent, type OrderState } from "@invoice/domain";
import { classifyDatabaseError, isRetriable, PlatformError } from "@invoice/errors";
import type { IdGenerator } from "@invoice/ids";
import type { Exchange } from "@invoice/provider";
import { auditRows, writeClaims } from "./audit-and-claims.ts";
import { bulkInsert, type ColumnTypes } from "./bulk-insert.ts";
import {
  type InvoicePlan,
  type InvoiceRowView,
  loadInvoiceRows,
  orderKey,
  planInvoiceRows,
  writeInvoiceRows,
} from "./invoice-rows.ts";
import { loadMerchantProfiles, type MerchantDefaults, type MerchantProfileView } from "./merchant-profile.ts";
import { OUTBOX_COLUMNS, type OutboxRow, outboxRows } from "./outbox.ts";

export const CONSUMER = "issuer";

/** A provider call's record for InvoiceIssuance, written with the SendResult it produced. */
export interface AttemptLog {
  transactionUuid: string;
  attempt: number;
  operation: "ISSUE" | "LOOKUP";
  outcome: "SUCCEEDED" | "NOT_FOUND" | "TRANSIENT_FAILURE" | "PERMANENT_FAILURE" | "UNKNOWN";
  provider: string;
  attemptId: string;
  startedAt: number;
  finishedAt: number;
  exchange?: Exchange;
  errorClass?: string;
  errorMessage?: string;
}

export type Committed =
  | { kind: "duplicate" }
  | { kind: "rejected"; decision: Decision; code: string; message: string }
  | {
      kind: "applied";
      decision: Decision;
      state: OrderState | undefined;
      profile: MerchantProfileView;
      invoices: Map<number, InvoiceRowView>;
      /** The outbox rows of the decision's publications: `Outbox.published` once they are sent. */
      outbox: bigint[];
    };

export class OrderStateConflictError extends PlatformError {
  override readonly name = "OrderStateConflictError";
  constructor(orderIds: string[]) {
    super(
      "ORDER_STATE_CONFLICT",
      `order ${orderIds.slice(0, 5).join(", ")}${orderIds.length > 5 ? ", ..." : ""} was written concurrently; re-deciding`,
      { retriable: true },
    );
  }
}

export interface DecisionStoreOptions {
  prisma: PrismaClient;
  ids: IdGenerator;
  defaults: MerchantDefaults;
  /** Events per transaction, at most. Default 200. */
  maxGroupSize?: number;
  /** Group transactions running at once, at most (each holds one pooled connection). Default 2. */
  maxConcurrentGroups?: number;
  /**
   * How long a statement of a group waits for a row lock, at most (PostgreSQL lock_timeout). A row
   * held by another session (an operator's transaction, a stalled instance) would otherwise hold
   * every event of the group for as long as it is held. Default 5 s.
   */
  lockTimeoutMs?: number;
  /** Called once per group transaction that committed (metrics). */
  onGroup?: (size: number, seconds: number) => void;
  now?: () => number;
}

/** Applies one event (grouped with the others handed over meanwhile) and tells what it decided. */
export type DecisionStore = (event: IssuanceEvent, attempts?: AttemptLog[]) => Promise<Committed>;

interface Request {
  event: IssuanceEvent;
  attempts: AttemptLog[];
  resolve(committed: Committed): void;
  reject(error: unknown): void;
}

type Tx = Prisma.TransactionClient;

const AUDIT_COLUMNS: ColumnTypes = {
  id: "bigint",
  invoiceId: "bigint",
  merchantId: "text",
  orderId: "text",
  eventType: "text",
  eventId: "text",
  outcome: "text",
  fromStatus: '"InvoiceStatus"',
  toStatus: '"InvoiceStatus"',
  before: "jsonb",
  after: "jsonb",
  actor: "text",
  correlationId: "text",
};

/** Lock wait of each event's own transaction when a group that timed out on a lock is re-run. */
const QUICK_LOCK_WAIT_MS = 250;

const rejectOf = (effects: readonly Effect[]) =>
  effects.find((e): e is Extract<Effect, { type: "Reject" }> => e.type === "Reject");

export function createDecisionStore(options: DecisionStoreOptions): DecisionStore {
  const now = options.now ?? Date.now;
  const maxGroupSize = options.maxGroupSize ?? 200;
  const maxConcurrentGroups = options.maxConcurrentGroups ?? 2;
  const lockTimeoutMs = Math.max(1, Math.floor(options.lockTimeoutMs ?? 5_000));
  const queue: Request[] = [];
  /** Orders with an event in a running group: their next event waits for that group to end. */
  const busy = new Set<string>();
  /** Orders whose last event timed out waiting for a lock alone: their events run alone until one commits. */
  const solo = new Set<string>();
  let running = 0;
  let scheduled = false;

  function schedule(): void {
    if (scheduled) return;
    scheduled = true;
    // After the current turn: every commit handed over in it joins the same group.
    setImmediate(() => {
      scheduled = false;
      pump();
    });
  }

  function pump(): void {
    while (running < maxConcurrentGroups && queue.length > 0) {
      const group = takeGroup();
      if (group.length === 0) return; // every queued order is busy: the running groups pump again
      const orders = group.map((request) => orderKey(request.event));
      for (const order of orders) busy.add(order);
      running += 1;
      void runGroup(group).finally(() => {
        running -= 1;
        for (const order of orders) busy.delete(order);
        if (queue.length > 0) schedule();
      });
    }
  }

  /**
   * The oldest requests, at most one per order and per event id, none of an order in a running
   * group; the others keep their place.
   */
  function takeGroup(): Request[] {
    const group: Request[] = [];
    const orders = new Set<string>();
    const eventIds = new Set<string>();
    for (let i = 0; i < queue.length && group.length < maxGroupSize; ) {
      const request = queue[i] as Request;
      const order = orderKey(request.event);
      if (orders.has(order) || busy.has(order) || eventIds.has(request.event.eventId)) {
        i += 1;
        continue;
      }
      if (solo.has(order)) {
        if (group.length > 0) {
          i += 1;
          continue;
        }
        queue.splice(i, 1);
        return [request];
      }
      orders.add(order);
      eventIds.add(request.event.eventId);
      group.push(request);
      queue.splice(i, 1);
    }
    return group;
  }

  async function runGroup(group: Request[], lockWaitMs = lockTimeoutMs): Promise<void> {
    const started = performance.now();
    try {
      const results = await transaction(group, lockWaitMs);
      options.onGroup?.(group.length, (performance.now() - started) / 1000);
      group.forEach((request, i) => {
        solo.delete(orderKey(request.event));
        request.resolve(results[i] as Committed);
      });
    } catch (error) {
      const lockTimeout = (error as { code?: unknown }).code === "DB_LOCK_TIMEOUT";
      if (group.length === 1 || (isRetriable(error) && !lockTimeout)) {
        if (group.length === 1 && lockTimeout) solo.add(orderKey((group[0] as Request).event));
        for (const request of group) request.reject(error);
        return;
      }
      // One event of the group is at fault (the rest would commit), or waits for a row another
      // session holds: find it, one transaction each, so the others commit. After a lock timeout
      // the re-run waits only briefly for each lock: several orders may be held (a stalled
      // instance holds all of its group's), and each would otherwise cost the full wait in turn.
      const wait = lockTimeout ? Math.min(lockTimeoutMs, QUICK_LOCK_WAIT_MS) : lockTimeoutMs;
      for (const request of group) await runGroup([request], wait);
    }
  }

  async function transaction(group: Request[], lockWaitMs: number): Promise<Committed[]> {
    try {
      return await options.prisma.$transaction((tx) => applyGroup(tx, group, lockWaitMs), {
        timeout: 60_000,
        maxWait: 30_000,
      });
    } catch (error) {
      // Driver and Prisma errors classified (an outage retriable, a constraint not); ours as they are.
      throw error instanceof PlatformError ? error : classifyDatabaseError(error);
    }
  }

  async function applyGroup(tx: Tx, group: Request[], lockWaitMs: number): Promise<Committed[]> {
    await tx.$executeRawUnsafe(`SET LOCAL lock_timeout = ${lockWaitMs}`);
    const keys = group.map(({ event }) => ({ merchantId: event.merchantId, orderId: event.orderId }));
    const loaded = await loadOrderStates(tx, {
      keys,
      consumer: CONSUMER,
      eventIds: group.map(({ event }) => event.eventId),
    });
    const fresh = group.flatMap((request, i) =>
      loaded.processedEventIds.has(request.event.eventId) ? [] : [{ request, i }],
    );
    const [profiles, rowsByOrder] = await Promise.all([
      loadMerchantProfiles(
        tx,
        fresh.map(({ request }) => request.event.merchantId),
        options.defaults,
      ),
      loadInvoiceRows(
        tx,
        fresh.map(({ i }) => keys[i] as (typeof keys)[number]),
      ),
    ]);

    const results: Committed[] = group.map(() => ({ kind: "duplicate" }));
    const plans: InvoicePlan[] = [];
    const audits: Prisma.InvoiceAuditTracingCreateManyInput[] = [];
    const stateWrites: OrderStateWrite[] = [];
    const written: Array<{ i: number; decision: Decision; plan: InvoicePlan }> = [];
    const outbox: OutboxRow[] = [];
    const noState: Array<{ eventId: string; orderId: string }> = [];
    const at = now();
    for (const { request, i } of fresh) {
      const { event, attempts } = request;
      const stored = loaded.states[i];
      const previous = stored?.document as unknown as OrderState | undefined;
      const profile = profiles.get(event.merchantId) as MerchantProfileView;
      const decision = decide(previous, event, at, profile.policy, { claimToken: randomUUID() });
      const reject = rejectOf(decision.effects);
      // A rejected event changes no state; its attempts and audit row are kept.
      const plan = planInvoiceRows(rowsByOrder.get(orderKey(event)) ?? [], options.ids, {
        state: reject ? previous : decision.next,
        profile,
        attempts,
        now: at,
      });
      plans.push(plan);
      audits.push(...auditRows(options.ids, event, decision, plan.views));
      if (reject) {
        results[i] = { kind: "rejected", decision, code: reject.code, message: reject.message };
        continue;
      }
      if (decision.next) {
        stateWrites.push({
          key: keys[i] as (typeof keys)[number],
          status: decision.next.status,
          document: decision.next as unknown as JsonObject,
          expectedVersion: stored?.version ?? null,
          eventIds: [event.eventId],
        });
      } else {
        noState.push({ eventId: event.eventId, orderId: event.orderId });
      }
      written.push({ i, decision, plan });
      const publications = outboxRows(options.ids, decision, plan.views);
      outbox.push(...publications);
      results[i] = {
        kind: "applied",
        decision,
        state: decision.next,
        profile,
        invoices: plan.views,
        outbox: publications.map((row) => row.id),
      };
    }

    // Invoices first: attempts, audit rows and claims refer to them.
    await writeInvoiceRows(tx, plans);
    await bulkInsert(tx, "InvoiceAuditTracing", AUDIT_COLUMNS, audits);
    const outcomes = await writeOrderStates(tx, CONSUMER, stateWrites);
    const conflicts = outcomes.filter((o) => o.outcome !== "written").map((o) => o.key.orderId);
    // Rolls the group back; every event of it is decided again on fresh state.
    if (conflicts.length > 0) throw new OrderStateConflictError(conflicts);
    if (noState.length > 0) await recordProcessedEvents(tx, CONSUMER, noState);
    await bulkInsert(tx, "InvoiceOutbox", OUTBOX_COLUMNS, outbox);
    for (const { decision, plan } of written) {
      await writeClaims(tx, options.ids, decision, plan.views, plan.created);
    }
    return results;
  }

  return (event, attempts = []) =>
    new Promise<Committed>((resolve, reject) => {
      queue.push({ event, attempts, resolve, reject });
      schedule();
    });
}
