/**
 * One event applied in one transaction (domain README "The issuer's contract", Applying events):
 * dedupe by ProcessedEvent, decide, then write the state, the ProcessedEvent row, the audit row, claim
 * rows, invoice rows (created with their immutable seller/provider snapshot, then kept in step with
 * the state) and the provider attempt log. Nothing leaves the process here: the caller performs the
 * decision's calls and publications after the commit.
 */
import { randomUUID } from "node:crypto";
import {
  type JsonObject,
  loadOrderStates,
  type PrismaClient,
  recordProcessedEvents,
  writeOrderStates,
} from "@invoice/db";
import { type Decision, decide, type Effect, type IssuanceEvent, type OrderState } from "@invoice/domain";
import { classifyDatabaseError, PlatformError } from "@invoice/errors";
import type { IdGenerator } from "@invoice/ids";
import type { Exchange } from "@invoice/provider";
import { writeAudit, writeClaims } from "./audit-and-claims.ts";
import { type InvoiceRowView, syncInvoiceRows } from "./invoice-rows.ts";
import { loadMerchantProfile, type MerchantDefaults, type MerchantProfileView } from "./merchant-profile.ts";

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
    };

export class OrderStateConflictError extends PlatformError {
  override readonly name = "OrderStateConflictError";
  constructor(orderId: string) {
    super("ORDER_STATE_CONFLICT", `order ${orderId} was written concurrently; re-deciding`, {
      retriable: true,
    });
  }
}

export interface DecisionStoreOptions {
  prisma: PrismaClient;
  ids: IdGenerator;
  defaults: MerchantDefaults;
  now?: () => number;
}

const rejectOf = (effects: readonly Effect[]) =>
  effects.find((e): e is Extract<Effect, { type: "Reject" }> => e.type === "Reject");

export function createDecisionStore(options: DecisionStoreOptions) {
  const now = options.now ?? Date.now;
  return async function commit(event: IssuanceEvent, attempts: AttemptLog[] = []): Promise<Committed> {
    const key = { merchantId: event.merchantId, orderId: event.orderId };
    return inTransaction(() =>
      options.prisma.$transaction(
        async (tx) => {
          const loaded = await loadOrderStates(tx, {
            keys: [key],
            consumer: CONSUMER,
            eventIds: [event.eventId],
          });
          if (loaded.processedEventIds.has(event.eventId)) return { kind: "duplicate" } as const;
          const stored = loaded.states[0];
          const previous = stored?.document as unknown as OrderState | undefined;
          const profile = await loadMerchantProfile(tx, event.merchantId, options.defaults);
          const at = now();
          const decision = decide(previous, event, at, profile.policy, { claimToken: randomUUID() });
          const reject = rejectOf(decision.effects);
          const invoiceIds = await syncInvoiceRows(tx, options.ids, {
            state: reject ? previous : decision.next,
            profile,
            attempts,
            now: at,
          });
          await writeAudit(tx, options.ids, event, decision, invoiceIds);
          if (reject)
            return { kind: "rejected", decision, code: reject.code, message: reject.message } as const;
          if (decision.next) {
            const [written] = await writeOrderStates(tx, CONSUMER, [
              {
                key,
                status: decision.next.status,
                document: decision.next as unknown as JsonObject,
                expectedVersion: stored?.version ?? null,
                eventIds: [event.eventId],
              },
            ]);
            if (written?.outcome !== "written") throw new OrderStateConflictError(event.orderId);
          } else {
            await recordProcessedEvents(tx, CONSUMER, [{ eventId: event.eventId, orderId: event.orderId }]);
          }
          await writeClaims(tx, options.ids, decision, invoiceIds);
          return { kind: "applied", decision, state: decision.next, profile, invoices: invoiceIds } as const;
        },
        { timeout: 30_000, maxWait: 30_000 },
      ),
    );
  };
}

/** Driver and Prisma errors classified (an outage retriable, a constraint not); ours as they are. */
async function inTransaction<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    throw error instanceof PlatformError ? error : classifyDatabaseError(error);
  }
}

export type DecisionStore = ReturnType<typeof createDecisionStore>;
