// A tiny stand-in for the issuer, used by the property tests: it feeds events to `decide`, and
// turns effects into the events the outside world would send back (provider callbacks, claim
// submissions/expiries, operator replays), inserted at positions chosen by the test's random
// choices. Not exported from the package.
import type { BuyerInfo, IssuanceEvent } from "../events.ts";
import { type Decision, decide } from "./decide.ts";
import type { Effect } from "./effects.ts";
import type { MerchantPolicy } from "./policy.ts";
import { isActive, type OrderState } from "./state.ts";
import { callback, expireClaim, freshIds, NOW, replay, submitClaim } from "./test-support.ts";

export interface SimulationPlan {
  policy: MerchantPolicy;
  /** External events in arrival order (duplicates included). */
  externals: IssuanceEvent[];
  /** What the buyer does once a claim opens. */
  claim: { plan: "submit" | "expire" | "race"; buyer: BuyerInfo; deferExpiry?: boolean };
  /** The provider fails the first send of each invoice (then the harness asks for a replay). */
  failFirstSend: boolean;
  /** Random numbers that place reactive events in the queue. */
  choices: number[];
  /**
   * How far the clock moves per processed event (default 0: everything happens at NOW). Past the
   * in-flight guard a replay resumes an unconfirmed send, so the provider may see a key twice.
   */
  tickMs?: number;
}

export interface Step {
  before: OrderState | undefined;
  event: IssuanceEvent;
  decision: Decision;
}

export interface Simulation {
  state: OrderState | undefined;
  steps: Step[];
  effects: Effect[];
}

const MAX_STEPS = 400;
const MAX_REDELIVERIES = 3;

export function activeCount(state: OrderState | undefined): number {
  return state ? state.invoices.filter(isActive).length : 0;
}

export function simulate(plan: SimulationPlan): Simulation {
  const queue = [...plan.externals];
  const redeliveries = new Map<string, number>();
  const failedOnce = new Set<string>();
  const steps: Step[] = [];
  const effects: Effect[] = [];
  let cursor = 0;
  const pick = (n: number) => (n <= 0 ? 0 : (plan.choices[cursor++ % plan.choices.length] ?? 0) % n);
  const insertLater = (event: IssuanceEvent) => queue.splice(pick(queue.length + 1), 0, event);

  let state: OrderState | undefined;
  while (queue.length > 0 && steps.length < MAX_STEPS) {
    const event = queue.shift() as IssuanceEvent;
    const now = NOW + steps.length * (plan.tickMs ?? 0);
    const decision = decide(state, event, now, plan.policy, freshIds());
    steps.push({ before: state, event, decision });
    state = decision.next;
    effects.push(...decision.effects);
    for (const effect of decision.effects) {
      switch (effect.type) {
        case "IssueInvoice":
        case "ResumeIssuance":
        case "IssueAdjustment":
        case "IssueReplacement": {
          const tx = effect.transactionUuid;
          const fail = plan.failFirstSend && !failedOnce.has(tx);
          if (fail) failedOnce.add(tx);
          const answer = callback(tx, fail ? "failed" : "issued", String(100 + effect.invoiceSeq));
          insertLater(answer);
          // The provider, or our consumer, sometimes delivers a result twice.
          if (pick(4) === 0) insertLater(answer);
          break;
        }
        case "OpenClaim": {
          const submit = submitClaim(effect.claimToken, plan.claim.buyer, effect.deadline - 1);
          const expire = expireClaim(effect.claimToken);
          if (plan.claim.plan !== "expire") insertLater(submit);
          if (plan.claim.plan !== "submit") {
            if (plan.claim.deferExpiry) queue.push(expire);
            else insertLater(expire);
          }
          break;
        }
        case "PublishInvoiceEvent":
          // An operator reacts to a failure by asking for a replay.
          if (effect.event.type === "InvoiceFailed") insertLater(replay());
          break;
        case "Reject": {
          const count = redeliveries.get(event.eventId) ?? 0;
          if (effect.retriable && count < MAX_REDELIVERIES) {
            redeliveries.set(event.eventId, count + 1);
            queue.push(event);
          }
          break;
        }
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
