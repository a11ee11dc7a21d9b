// The issuer's contract under review (issue 8, second pass): sequences the provider-model test did
// not generate, each reproduced against the contract as README states it before the fix.
import { describe, expect, it } from "vitest";
import type { IssuanceEvent } from "../events.ts";
import { decide } from "./decide.ts";
import type { Effect } from "./effects.ts";
import { SEND_LEASE_MS } from "./policy.ts";
import { BUYER_B, ev, freshIds, HOUR, payment, RECORD, replay, T0 } from "./test-support.ts";

type WakeUpEffect = Extract<Effect, { type: "ScheduleWakeUp" }>;
const wakeUps = (effects: Effect[]) => effects.filter((e): e is WakeUpEffect => e.type === "ScheduleWakeUp");

/**
 * An issuer that follows README "The issuer's contract" for wake-ups to the letter: ProcessedEvent
 * dedupes by eventId, each ScheduleWakeUp becomes one WakeUp fed with the effect's eventId, decided
 * at the time the test says (a deciding clock behind the scheduler's decides it early).
 */
class ContractIssuer {
  state = decide(undefined, payment(undefined, { paidAt: T0 }), T0, RECORD, freshIds()).next;
  readonly processed = new Set<string>();
  readonly pending: WakeUpEffect[] = [];

  apply(event: IssuanceEvent, now: number): Effect[] {
    if (this.processed.has(event.eventId)) return [];
    const decision = decide(this.state, event, now, RECORD, freshIds());
    if (!decision.effects.some((e) => e.type === "Reject")) this.processed.add(event.eventId);
    this.state = decision.next;
    this.pending.push(...wakeUps(decision.effects));
    return decision.effects;
  }

  /** Feeds the oldest wake-up asked for, decided at `now`. */
  wake(now: number): Effect[] {
    const due = this.pending.shift();
    if (!due) throw new Error("no wake-up was asked for");
    const payload = due.attemptId ? { attemptId: due.attemptId, reason: due.reason } : { reason: due.reason };
    return this.apply(ev("WakeUp", payload, { eventId: due.wakeUpEventId }), now);
  }
}

describe("wake-ups that fall due early ask for themselves again under a new eventId", () => {
  it("a claim expiry deferred to the deadline is applied even when its wake-up is first decided early", () => {
    const issuer = new ContractIssuer();
    const token = issuer.state?.claim?.token as string;
    const deadline = T0 + HOUR;
    // The expiry worker's clock is ahead: deferred to the deadline.
    issuer.apply(ev("ClaimExpired", { claimToken: token }), deadline - 60_000);
    expect(issuer.state?.claim).toMatchObject({ status: "open", expiryDeferred: true });
    // Its wake-up is decided by a clock one second behind: it asks for itself again...
    issuer.wake(deadline - 1_000);
    expect(issuer.pending).toHaveLength(1);
    expect(issuer.processed.has(issuer.pending[0]?.wakeUpEventId as string)).toBe(false);
    // ... and that wake-up, once due, applies the expiry (before the fix it carried the id just
    // processed, ProcessedEvent dropped it and the order waited for a claim forever).
    issuer.wake(deadline);
    expect(issuer.state?.status).toBe("ISSUING");
    expect(issuer.state?.claim?.status).toBe("expired");
  });

  it("a lease wake-up decided early, twice, still reaches the follow-up call", () => {
    const issuer = new ContractIssuer();
    issuer.state = decide(undefined, payment(BUYER_B), T0, RECORD, freshIds()).next;
    issuer.apply(replay(), T0 + 10_000);
    const first = issuer.pending[0] as WakeUpEffect;
    expect(first).toMatchObject({ reason: "lease", at: T0 + SEND_LEASE_MS });
    issuer.wake(first.at - 2_000);
    issuer.wake(first.at - 1_000);
    const ids = [first.wakeUpEventId, `${first.wakeUpEventId}:again:1`, `${first.wakeUpEventId}:again:2`];
    expect([...issuer.processed].filter((id) => id.includes(":wake:"))).toEqual(ids.slice(0, 2));
    expect(issuer.pending.map((w) => w.wakeUpEventId)).toEqual([ids[2]]);
    issuer.wake(first.at); // the lease is over: re-armed from this clock
    const lease = issuer.pending[0] as WakeUpEffect;
    expect(lease.at).toBe(first.at + SEND_LEASE_MS);
    expect(issuer.wake(lease.at)).toContainEqual(
      expect.objectContaining({ type: "IssueInvoice", attempt: 2, lookupFirst: true }),
    );
  });

  it("the same wake-up asked for by two replays inside one lease keeps one eventId (applied once)", () => {
    const issuer = new ContractIssuer();
    issuer.state = decide(undefined, payment(BUYER_B), T0, RECORD, freshIds()).next;
    issuer.apply(replay(), T0 + 10_000);
    issuer.apply(replay(), T0 + 20_000);
    const [a, b] = issuer.pending;
    expect(a?.wakeUpEventId).toBeDefined();
    expect(a?.wakeUpEventId).toBe(b?.wakeUpEventId);
  });
});
