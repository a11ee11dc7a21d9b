import {
  INTERNAL_ISSUANCE_EVENT_TYPES,
  ISSUANCE_EVENT_TYPES,
  type IssuanceEvent,
  type IssuanceEventType,
} from "../events.ts";
import { isValidInstant } from "../local-date.ts";
import type { Effect } from "./effects.ts";
import { invariantProblem } from "./invariants.ts";
import { MachineInvariantError } from "./machine-error.ts";
import { onClaimSubmitted, onInvoiceRequested } from "./on-buyer.ts";
import { onClaimExpired } from "./on-claim-expired.ts";
import { onPaymentSucceeded } from "./on-payment.ts";
import { onProviderCallback } from "./on-provider-callback.ts";
import { onPaymentRefunded } from "./on-refund.ts";
import { onReplayRequested } from "./on-replay.ts";
import { onSendResult } from "./on-send-result.ts";
import { onSendRetriesExhausted, onWakeUp } from "./on-wake-up.ts";
import type { MerchantPolicy } from "./policy.ts";
import type { OrderState } from "./state.ts";
import { type DecideContext, type FreshIds, type Step, StepBuilder } from "./step.ts";

export interface Decision {
  /** The state to persist; undefined when the order has no state and the event created none. */
  next: OrderState | undefined;
  /** In order. Always ends with exactly one RecordAudit. */
  effects: Effect[];
}

type Handlers = { [T in IssuanceEventType]: (ctx: DecideContext<T>) => Step };

const HANDLERS: Handlers = {
  PaymentSucceeded: onPaymentSucceeded,
  InvoiceRequested: onInvoiceRequested,
  ClaimSubmitted: onClaimSubmitted,
  ClaimExpired: onClaimExpired,
  ReplayRequested: onReplayRequested,
  PaymentRefunded: onPaymentRefunded,
  ProviderCallback: onProviderCallback,
  SendResult: onSendResult,
  WakeUp: onWakeUp,
  SendRetriesExhausted: onSendRetriesExhausted,
};

const INTERNAL: ReadonlySet<string> = new Set(INTERNAL_ISSUANCE_EVENT_TYPES);

function envelopeProblem(event: IssuanceEvent): string | undefined {
  if (typeof event.eventId !== "string" || event.eventId === "") return "eventId is missing";
  if (typeof event.orderId !== "string" || event.orderId === "") return "orderId is missing";
  if (typeof event.merchantId !== "string" || event.merchantId === "") return "merchantId is missing";
  if (!isValidInstant(event.occurredAt)) return "occurredAt is not an epoch-ms instant";
  if (!ISSUANCE_EVENT_TYPES.includes(event.type)) return `unknown event type ${String(event.type)}`;
  if (typeof event.payload !== "object" || event.payload === null) return "payload is missing";
  return undefined;
}

function route(ctx: DecideContext): Step {
  // The mapped handler table guarantees the payload type matches event.type.
  const handler = HANDLERS[ctx.event.type] as (ctx: DecideContext) => Step;
  return handler(ctx);
}

/**
 * The decision is refused: the state stays as it was and a human is asked to look at the order. The
 * outcome is "recorded", so the caller marks the eventId processed and a redelivery does not loop.
 */
function refuse(ctx: DecideContext, problem: string): Step {
  const b = new StepBuilder(ctx);
  b.human("INVARIANT_VIOLATION", `${ctx.event.type} ${ctx.event.eventId} not applied: ${problem}`);
  return b.done(ctx.state, "recorded", `refused: ${problem}`);
}

/**
 * Runs the handler, then checks the invariants the rest of the platform relies on (at most one
 * active invoice, at most one original/replacement send per decision, no second original). A handler
 * that breaks one, or throws MachineInvariantError, yields a human case instead of a decision or an
 * exception: a well-formed event must never make `decide` throw.
 */
function guarded(ctx: DecideContext): Step {
  let step: Step;
  try {
    step = route(ctx);
  } catch (error) {
    if (error instanceof MachineInvariantError) return refuse(ctx, error.message);
    throw error;
  }
  if (step.outcome === "rejected") return step;
  const problem = invariantProblem(ctx.state, step.next, step.effects);
  return problem ? refuse(ctx, problem) : step;
}

/**
 * The per-order state machine (DESIGN.md section 4): a pure function of the order's state, one
 * event, the current time and the merchant's policy. Effects are data for the issuer to perform
 * (README "The issuer's contract").
 *
 * - The caller dedupes: it applies each eventId at most once (ProcessedEvent, written in the same
 *   transaction as the state) and never passes an event already applied. The handlers are still
 *   idempotent where it is cheap (same paymentId, refundId, claim token; a result for an attempt
 *   already resolved), so a duplicate that slips through does no harm.
 * - A rejected event (outcome "rejected", a Reject effect) leaves the state as it was; the caller
 *   does not mark it processed.
 * - Every decision ends with one RecordAudit effect.
 * - A decision that would break the machine's invariants is replaced by a human case
 *   (INVARIANT_VIOLATION, state unchanged, outcome "recorded").
 *
 * Throws only on the caller's programming errors (state of another order, `now` not an instant,
 * missing fresh ids when a claim opens), never because of what a well-formed event says.
 */
export function decide(
  state: OrderState | undefined,
  event: IssuanceEvent,
  now: number,
  policy: MerchantPolicy,
  fresh: FreshIds,
): Decision {
  if (state && (state.orderId !== event.orderId || state.merchantId !== event.merchantId)) {
    throw new Error(
      `event for ${event.merchantId}/${event.orderId} applied to ${state.merchantId}/${state.orderId}`,
    );
  }
  if (!isValidInstant(now)) throw new Error(`decide needs now as an epoch-ms instant, got ${now}`);
  const ctx: DecideContext = { state, event, now, policy, fresh };
  const problem = envelopeProblem(event);
  const step = problem ? new StepBuilder(ctx).reject("INVALID_EVENT", problem) : guarded(ctx);

  const before = state?.status ?? null;
  const next = step.next;
  const requestedBy = event.type === "ReplayRequested" ? event.payload?.requestedBy : undefined;
  const actor =
    event.type === "ReplayRequested"
      ? typeof requestedBy === "string" && requestedBy !== ""
        ? requestedBy
        : "unknown"
      : INTERNAL.has(event.type)
        ? "issuer"
        : "system";
  const audit: Effect = {
    type: "RecordAudit",
    audit: {
      eventId: String(event.eventId),
      eventType: event.type,
      outcome: step.outcome,
      before,
      after: next?.status ?? null,
      actor,
      correlationId: String(event.eventId),
      ...(step.note !== undefined ? { note: step.note } : {}),
    },
  };
  return { next, effects: [...step.effects, audit] };
}
