// A small stand-in for the issuer, used by the property tests: it feeds events to `decide` in the
// order a test's random choices give, dedupes them the way the issuer's ProcessedEvent table does,
// and turns effects into what the outside world sends back (results of provider calls against a
// provider that answers at once, wake-ups when they fall due, claim submissions/expiries, operator
// replays). The provider-model test (decide.provider-model.test.ts) uses a harsher world. Not
// exported from the package.
import type { BuyerInfo, IssuanceEvent, SendOutcome } from "../events.ts";
import { type Decision, decide } from "./decide.ts";
import type { Effect } from "./effects.ts";
import type { MerchantPolicy } from "./policy.ts";
import { isActive, type OrderState } from "./state.ts";
import { ev, expireClaim, freshIds, NOW, replay, submitClaim } from "./test-support.ts";

export interface SimulationPlan {
  policy: MerchantPolicy;
  /** External events in arrival order (duplicates included). */
  externals: IssuanceEvent[];
  /** What the buyer does once a claim opens. */
  claim: { plan: "submit" | "expire" | "race"; buyer: BuyerInfo; deferExpiry?: boolean };
  /** The provider refuses the first send of each invoice (then the harness asks for a replay). */
  failFirstSend: boolean;
  /** Random numbers that place reactive events in the queue. */
  choices: number[];
  /**
   * How far the clock moves per processed event (default 0: everything happens at NOW, except that
   * a wake-up moves the clock to its due time).
   */
  tickMs?: number;
}

export interface Step {
  before: OrderState | undefined;
  event: IssuanceEvent;
  decision: Decision;
  now: number;
}

export interface Simulation {
  state: OrderState | undefined;
  steps: Step[];
  effects: Effect[];
}

const MAX_STEPS = 400;

export function activeCount(state: OrderState | undefined): number {
  return state ? state.invoices.filter(isActive).length : 0;
}

interface Queued {
  event: IssuanceEvent;
  /** A wake-up is not processed before its due time: the clock jumps to it. */
  due?: number;
}

export function simulate(plan: SimulationPlan): Simulation {
  const queue: Queued[] = plan.externals.map((event) => ({ event }));
  const processed = new Set<string>();
  const failedOnce = new Set<string>();
  const held = new Map<string, string>();
  const steps: Step[] = [];
  const effects: Effect[] = [];
  let cursor = 0;
  let clock = NOW;
  let wakeUps = 0;
  const pick = (n: number) => (n <= 0 ? 0 : (plan.choices[cursor++ % plan.choices.length] ?? 0) % n);
  const insertLater = (item: Queued) => queue.splice(pick(queue.length + 1), 0, item);

  let state: OrderState | undefined;
  let deliveries = 0;
  while (queue.length > 0 && steps.length < MAX_STEPS) {
    const { event, due } = queue.shift() as Queued;
    deliveries += 1;
    // The issuer's durable dedupe: an eventId applied once is never decided again.
    if (processed.has(event.eventId)) continue;
    clock = Math.max(clock, NOW + deliveries * (plan.tickMs ?? 0), due ?? 0);
    const decision = decide(state, event, clock, plan.policy, freshIds());
    steps.push({ before: state, event, decision, now: clock });
    if (!decision.effects.some((e) => e.type === "Reject")) processed.add(event.eventId);
    state = decision.next;
    effects.push(...decision.effects);
    for (const effect of decision.effects) {
      switch (effect.type) {
        case "IssueInvoice":
        case "IssueAdjustment":
        case "IssueReplacement":
        case "LookUpInvoice": {
          const tx = effect.transactionUuid;
          let outcome: SendOutcome;
          if (effect.type === "LookUpInvoice" || (effect.lookupFirst && held.has(tx))) {
            outcome = held.has(tx) ? "found" : "not-found";
          } else if (held.has(tx)) {
            outcome = "issued"; // a repeat of a completed key returns the original invoice
          } else if (plan.failFirstSend && !failedOnce.has(tx)) {
            failedOnce.add(tx);
            outcome = "rejected";
          } else {
            held.set(tx, String(100 + effect.invoiceSeq));
            outcome = "issued";
          }
          const answer = ev(
            "SendResult",
            {
              attemptId: effect.attemptId,
              outcome,
              ...(outcome === "issued" || outcome === "found" ? { invoiceNo: held.get(tx) as string } : {}),
              ...(outcome === "rejected"
                ? { errorCode: "VAT_AMOUNT_INVALID", errorMessage: "tax mismatch" }
                : {}),
            },
            { eventId: `${effect.attemptId}:result` },
          );
          insertLater({ event: answer });
          // The consumer sometimes delivers a result twice (same eventId: deduped).
          if (pick(4) === 0) insertLater({ event: answer });
          break;
        }
        case "ScheduleWakeUp": {
          wakeUps += 1;
          const payload = effect.attemptId
            ? { attemptId: effect.attemptId, reason: effect.reason }
            : { reason: effect.reason };
          insertLater({ event: ev("WakeUp", payload, { eventId: `wake-${wakeUps}` }), due: effect.at });
          break;
        }
        case "OpenClaim": {
          const submit = submitClaim(effect.claimToken, plan.claim.buyer, effect.deadline - 1);
          const expire = expireClaim(effect.claimToken);
          if (plan.claim.plan !== "expire") insertLater({ event: submit });
          if (plan.claim.plan !== "submit") {
            if (plan.claim.deferExpiry) queue.push({ event: expire, due: effect.deadline });
            else insertLater({ event: expire });
          }
          break;
        }
        case "PublishInvoiceEvent":
          // An operator reacts to a failure by asking for a replay.
          if (effect.event.type === "InvoiceFailed") insertLater({ event: replay() });
          break;
        default:
          break;
      }
    }
  }
  if (queue.length > 0) throw new Error("simulation did not settle");
  return { state, steps, effects };
}

/** Arrival order from random sort keys, keeping duplicates as separate deliveries. */
export function arrange(events: IssuanceEvent[], keys: number[]): IssuanceEvent[] {
  return events
    .map((event, i) => ({ event, key: keys[i % Math.max(keys.length, 1)] ?? 0, i }))
    .sort((a, b) => a.key - b.key || a.i - b.i)
    .map((x) => x.event);
}
