// A harsh world for the provider-model test (decide.provider-model.test.ts): a provider that behaves
// like SInvoice (a repeat of a completed key returns the original, two concurrent sends of one key
// create two invoices, asynchronous numbering), an issuer that follows README "The issuer's
// contract" to the letter, and everything between them slow, lost, duplicated and reordered: calls
// refused or timing out, processing that outlives the timeout, connection resets after the invoice
// was created, results lost with a crashed process (the record is then delivered again), results and
// wake-ups delivered twice or late, two issuer instances whose clocks disagree. Not exported.
import { INVOICE_DATE_REFUSED, type InvoiceBuyer, type IssuanceEvent, type SendOutcome } from "../events.ts";
import { laterDate, vietnamDateOf } from "../local-date.ts";
import { type Decision, decide } from "./decide.ts";
import type { Effect, ProviderEffect } from "./effects.ts";
import { type MerchantPolicy, providerCallTimeoutMs } from "./policy.ts";
import type { OrderState } from "./state.ts";
import { ev, freshIds } from "./test-support.ts";

export interface Faults {
  /** Per call: refused before sending (breaker open, connection refused). */
  refused: number;
  /** Per send: refused for good by the provider (validation). */
  rejected: number;
  /** Per send: processing slower than the issuer's timeout (it ends unknown; the provider may still create it). */
  slow: number;
  /** Per send: dropped by the provider (never processed; the issuer times out). */
  dropped: number;
  /** Per send: the answer is lost after the provider created the invoice (connection reset). */
  reset: number;
  /** Per call: the issuer process dies before feeding the result back (the record is delivered again). */
  crash: number;
  /** Per delivery of a result or wake-up: delivered twice (same eventId). */
  duplicate: number;
  /** Per result: delivered minutes late (consumer lag, a rebalance), after later decisions. */
  late: number;
  /** Per created invoice: numbered asynchronously (no number in the answer, a callback later). */
  asyncNumber: number;
  /** Per key: a provider "failed" notice that names no attempt arrives at some point. */
  failedNotice: number;
}

export const NO_FAULTS: Faults = {
  refused: 0,
  rejected: 0,
  slow: 0,
  dropped: 0,
  reset: 0,
  crash: 0,
  duplicate: 0,
  late: 0,
  asyncNumber: 0,
  failedNotice: 0,
};

/** An invoice the provider created. */
export interface HeldInvoice {
  transactionUuid: string;
  invoiceNo: string;
  buyer: InvoiceBuyer;
  /** Original/replacement: the amount paid; adjustment: the refund (0 for a buyer adjustment). */
  amountVnd: number;
  type: ProviderEffect["type"];
  refundId?: string;
  /** The invoice date (ngày lập) of the document the provider holds. */
  invoiceDate: string;
  createdAt: number;
}

interface Request {
  transactionUuid: string;
  arrivedAt: number;
  effect: Exclude<ProviderEffect, { type: "LookUpInvoice" }>;
}

export interface WorldOptions {
  policy: MerchantPolicy;
  faults: Faults;
  /** How far issuer instance B's clock is from the truth (A's is right). */
  skewB: number;
  /** The issuer's provider call timeout (within the lease, as the contract requires). */
  timeoutMs: number;
  retryBudget: number;
  random: () => number;
  /** The sale's amount: what an original or replacement carries. */
  paidVnd: number;
  /**
   * Other orders are issued in the order's series all the time, by an issuer whose clock is right:
   * the series' last invoice is dated today (true time), so a send dated before today — one decided
   * before midnight and processed after it — is refused for its date, as SInvoice does.
   */
  busySeries?: boolean;
  /** What the buyer and the claim-expiry worker do once a claim opens. */
  onClaim?: (claim: Extract<Effect, { type: "OpenClaim" }>, world: World) => void;
}

interface Scheduled {
  at: number;
  order: number;
  run: () => void;
}

const SECOND = 1_000;

export class World {
  readonly held: HeldInvoice[] = [];
  /** Sends the provider refused for their date (before the series' last invoice, or in the future). */
  readonly dateRefusals: string[] = [];
  /** Two send requests of one key processed at the same time: what SInvoice turns into two invoices. */
  readonly overlaps: string[] = [];
  readonly decisions: {
    event: IssuanceEvent;
    decision: Decision;
    now: number;
    before: OrderState | undefined;
  }[] = [];
  state: OrderState | undefined;
  now = 0;
  private readonly queue: Scheduled[] = [];
  private readonly processed = new Set<string>();
  private readonly processing: Request[] = [];
  /** Retries spent per invoice; a replay is a new record with a fresh budget. */
  readonly retriesUsed = new Map<number, number>();
  private order = 0;

  constructor(readonly options: WorldOptions) {
    this.faults = options.faults;
  }

  /** Faults can be switched off for the recovery phase. */
  faults: Faults;

  chance(p: number): boolean {
    return p > 0 && this.options.random() < p;
  }

  between(min: number, max: number): number {
    return Math.floor(min + this.options.random() * (max - min));
  }

  at(time: number, run: () => void): void {
    this.queue.push({ at: Math.max(time, this.now), order: this.order++, run });
  }

  /** Delivers an event to the issuer at `time` (twice when the fault says so). */
  deliver(time: number, event: IssuanceEvent, mayDuplicate = true): void {
    this.at(time, () => this.decide(event));
    if (mayDuplicate && this.chance(this.faults.duplicate)) {
      this.at(time + this.between(0, 30 * SECOND), () => this.decide(event));
    }
  }

  /** Runs until nothing is scheduled, or the step budget is spent (returns false then). */
  run(maxSteps: number): boolean {
    for (let steps = 0; this.queue.length > 0; steps++) {
      if (steps >= maxSteps) return false;
      this.queue.sort((a, b) => a.at - b.at || a.order - b.order);
      const next = this.queue.shift() as Scheduled;
      this.now = next.at;
      next.run();
    }
    return true;
  }

  /** The issuer: dedupe (ProcessedEvent), decide on one of its two instances, perform the effects. */
  private decide(event: IssuanceEvent): void {
    if (this.processed.has(event.eventId)) {
      // A record delivered again after it was applied: the contract's recovery wake-up.
      if (event.type !== "SendResult" && event.type !== "WakeUp" && event.type !== "SendRetriesExhausted") {
        this.deliver(
          this.now,
          ev("WakeUp", { reason: "recovery" }, { eventId: `${event.eventId}:recovery:${this.order}` }),
          false,
        );
      }
      return;
    }
    const skew = this.chance(0.5) ? this.options.skewB : 0;
    const clock = this.now + skew;
    const before = this.state;
    const decision = decide(before, event, clock, this.options.policy, freshIds());
    this.decisions.push({ event, decision, now: clock, before });
    if (!decision.effects.some((e) => e.type === "Reject")) this.processed.add(event.eventId);
    // Stored as a JSON document (the OrderState table) and read back for the next decision.
    this.state = decision.next && (JSON.parse(JSON.stringify(decision.next)) as OrderState);
    for (const effect of decision.effects) this.perform(effect, skew);
  }

  private perform(effect: Effect, skew: number): void {
    switch (effect.type) {
      case "IssueInvoice":
      case "IssueAdjustment":
      case "IssueReplacement":
      case "LookUpInvoice": {
        // Usually at once after the commit; sometimes the outbox lags past the start window.
        const delay = this.chance(0.03) ? this.between(10 * SECOND, 40 * SECOND) : this.between(0, SECOND);
        this.at(this.now + delay, () => this.call(effect, skew));
        break;
      }
      case "ScheduleWakeUp":
        this.schedule(effect, skew);
        break;
      case "OpenClaim":
        this.options.onClaim?.(effect, this);
        break;
      default:
        break;
    }
  }

  private schedule(effect: Extract<Effect, { type: "ScheduleWakeUp" }>, skew: number): void {
    const seq = effect.invoiceSeq ?? 0;
    let due = effect.at - skew;
    if (effect.retry) {
      const used = this.retriesUsed.get(seq) ?? 0;
      if (used >= this.options.retryBudget && effect.attemptId) {
        this.deliver(
          this.now,
          ev("SendRetriesExhausted", {
            attemptId: effect.attemptId,
            retries: used,
            errorCode: "RETRIES_EXHAUSTED",
            errorMessage: "issuer retry budget spent",
          }),
        );
        return;
      }
      this.retriesUsed.set(seq, used + 1);
      const backoff = Math.min(60 * SECOND, SECOND * 2 ** used) + this.between(0, SECOND);
      due = Math.max(due, this.now + backoff);
    }
    const payload = effect.attemptId
      ? { attemptId: effect.attemptId, reason: effect.reason }
      : { reason: effect.reason };
    // The eventId the contract names, so ProcessedEvent dedupes wake-ups exactly as the issuer's does.
    this.deliver(due, ev("WakeUp", payload, { eventId: effect.wakeUpEventId }));
  }

  /** The held invoice a lookup at `time` sees: only processing that has completed counts. */
  private lookup(transactionUuid: string): HeldInvoice | undefined {
    return this.held.find((h) => h.transactionUuid === transactionUuid && h.createdAt <= this.now);
  }

  private report(effect: ProviderEffect, outcome: SendOutcome, extra: Record<string, unknown> = {}): void {
    const result = ev(
      "SendResult",
      { attemptId: effect.attemptId, outcome, ...extra },
      { eventId: `${effect.attemptId}:result` },
    );
    if (this.chance(this.faults.crash)) {
      // The process died with the result: its record is delivered again to another instance.
      this.deliver(
        this.now + this.between(5 * SECOND, 60 * SECOND),
        ev("WakeUp", { reason: "recovery" }, { eventId: `${effect.attemptId}:recovery` }),
      );
      return;
    }
    const lag = this.chance(this.faults.late)
      ? this.between(3 * 60 * SECOND, 15 * 60 * SECOND)
      : this.between(0, 2 * SECOND);
    this.deliver(this.now + lag, result);
  }

  private call(effect: ProviderEffect, skew: number): void {
    const f = this.faults;
    const leased = providerCallTimeoutMs(effect, this.now + skew);
    if (leased === undefined || this.chance(f.refused)) {
      this.report(effect, "not-sent", { errorCode: "NOT_SENT" });
      return;
    }
    const timeoutMs = Math.min(this.options.timeoutMs, leased);
    const found = this.lookup(effect.transactionUuid);
    if (effect.type === "LookUpInvoice") {
      this.report(effect, found ? "found" : "not-found", found ? { invoiceNo: found.invoiceNo } : {});
      return;
    }
    if (effect.lookupFirst && found) {
      this.report(effect, "found", { invoiceNo: found.invoiceNo });
      return;
    }
    const request: Request = { transactionUuid: effect.transactionUuid, arrivedAt: this.now, effect };
    if (this.processing.some((r) => r.transactionUuid === effect.transactionUuid)) {
      this.overlaps.push(`${effect.attemptId} sent while another send of the key was being processed`);
    }
    if (this.chance(f.dropped)) {
      this.at(this.now + timeoutMs, () => this.report(effect, "unknown", { errorCode: "TIMEOUT" }));
      return;
    }
    this.processing.push(request);
    const slow = this.chance(f.slow);
    const duration = slow ? this.between(timeoutMs, timeoutMs + 40 * SECOND) : this.between(100, 2 * SECOND);
    const rejected = this.chance(f.rejected);
    const reset = this.chance(f.reset);
    this.at(this.now + duration, () => {
      this.processing.splice(this.processing.indexOf(request), 1);
      const dateProblem = this.existing(request) ? undefined : this.dateProblem(effect.invoiceDate);
      if (dateProblem) {
        // Refused for its date when the provider creates it: nothing created under the key.
        this.dateRefusals.push(`${effect.attemptId} dated ${effect.invoiceDate}: ${dateProblem}`);
        if (!slow)
          this.report(effect, "rejected", { errorCode: INVOICE_DATE_REFUSED, errorMessage: dateProblem });
        return;
      }
      const held = rejected ? undefined : this.complete(request);
      if (slow) return; // the issuer gave up at its timeout (below)
      if (reset || !held) {
        this.report(effect, reset ? "unknown" : "rejected", {
          errorCode: reset ? "ECONNRESET" : "VALIDATION",
        });
        return;
      }
      const numbered = held.invoiceNo !== "" ? { invoiceNo: held.invoiceNo } : {};
      this.report(effect, "issued", {
        ...numbered,
        sent: { buyer: effect.buyer, documentHash: effect.attemptId },
      });
    });
    if (slow) this.at(this.now + timeoutMs, () => this.report(effect, "unknown", { errorCode: "TIMEOUT" }));
  }

  /** The invoice a repeat after completion gets back (created before the request arrived). */
  private existing(request: Request): HeldInvoice | undefined {
    return this.held.find(
      (h) => h.transactionUuid === request.transactionUuid && h.createdAt <= request.arrivedAt,
    );
  }

  /**
   * SInvoice's date rule, with the provider's clock (the true time): never before the series' last
   * invoice (the order's own, and today's when other orders keep the series busy), never after today.
   */
  private dateProblem(invoiceDate: string): string | undefined {
    const today = vietnamDateOf(this.now + 60 * SECOND);
    if (invoiceDate > today) return `after the provider's today ${today}`;
    const last = this.held.reduce(
      (latest, h) => laterDate(latest, h.invoiceDate),
      this.options.busySeries ? vietnamDateOf(this.now) : "",
    );
    return invoiceDate < last ? `before the series' last invoice ${last}` : undefined;
  }

  /** SInvoice: a repeat after completion returns the original; otherwise the request creates one. */
  private complete(request: Request): HeldInvoice {
    const existing = this.existing(request);
    if (existing) return existing;
    const e = request.effect;
    const number = String(this.held.length + 1);
    const asyncNumber = this.chance(this.faults.asyncNumber);
    const refund = e.type !== "IssueInvoice" && e.reason.kind === "refund" ? e.reason : undefined;
    const held: HeldInvoice = {
      transactionUuid: e.transactionUuid,
      invoiceNo: asyncNumber ? "" : number,
      buyer: e.buyer,
      amountVnd: e.type === "IssueAdjustment" ? (refund?.amountVnd ?? 0) : this.options.paidVnd,
      type: e.type,
      ...(e.type === "IssueAdjustment" && refund ? { refundId: refund.refundId } : {}),
      invoiceDate: e.invoiceDate,
      createdAt: this.now,
    };
    this.held.push(held);
    if (asyncNumber) {
      this.at(this.now + this.between(30 * SECOND, 90 * SECOND), () => {
        held.invoiceNo = number;
        this.deliver(
          this.now + this.between(0, 5 * SECOND),
          ev("ProviderCallback", {
            transactionUuid: e.transactionUuid,
            outcome: "issued",
            invoiceNo: number,
          }),
        );
      });
    }
    if (this.chance(this.faults.failedNotice)) {
      this.deliver(
        this.now + this.between(0, 120 * SECOND),
        ev("ProviderCallback", {
          transactionUuid: e.transactionUuid,
          outcome: "failed",
          errorCode: "NOTICE",
        }),
      );
    }
    return held;
  }

  /** Invoices the provider holds for a key. */
  heldFor(transactionUuid: string): HeldInvoice[] {
    return this.held.filter((h) => h.transactionUuid === transactionUuid);
  }
}
