import type {
  EpochMs,
  InvoiceEventPayloads,
  InvoiceEventType,
  IssuanceEventOf,
  IssuanceEventType,
} from "../events.ts";
import type { AuditOutcome, Effect, RejectCode, ReviewCode } from "./effects.ts";
import type { MerchantPolicy } from "./policy.ts";
import type { OrderState } from "./state.ts";

/** Values the machine cannot make up itself without becoming impure. */
export interface FreshIds {
  /** A random UUID, used only if this event opens a claim (tokens must be unguessable). */
  claimToken: string;
}

export interface DecideContext<T extends IssuanceEventType = IssuanceEventType> {
  state: OrderState | undefined;
  event: IssuanceEventOf<T>;
  now: EpochMs;
  policy: MerchantPolicy;
  fresh: FreshIds;
}

/** What one handler decided, before the audit record is added. */
export interface Step {
  next: OrderState | undefined;
  effects: Effect[];
  outcome: AuditOutcome;
  note?: string;
  actor?: string;
}

/** Accumulates the effects of one decision. */
export class StepBuilder {
  readonly effects: Effect[] = [];
  private published = 0;

  constructor(readonly ctx: DecideContext) {}

  push(effect: Effect): void {
    this.effects.push(effect);
  }

  publish<T extends InvoiceEventType>(type: T, payload: InvoiceEventPayloads[T]): void {
    const { event, now } = this.ctx;
    this.published += 1;
    this.effects.push({
      type: "PublishInvoiceEvent",
      event: {
        eventId: `${event.eventId}:${this.published}`,
        causationEventId: event.eventId,
        orderId: event.orderId,
        merchantId: event.merchantId,
        occurredAt: now,
        type,
        payload,
      } as Extract<Effect, { type: "PublishInvoiceEvent" }>["event"],
    });
  }

  /** Records a case for a human and surfaces it on invoice.events (naming the late request, if any). */
  human(code: ReviewCode, message: string, requestEventId?: string): void {
    this.effects.push({ type: "RecordForHuman", code, message });
    this.publish("ReviewRequired", requestEventId ? { code, message, requestEventId } : { code, message });
  }

  done(next: OrderState | undefined, outcome: AuditOutcome, note?: string): Step {
    return note === undefined
      ? { next, effects: this.effects, outcome }
      : { next, effects: this.effects, outcome, note };
  }

  /** The event is not applied; the state stays as it was. */
  reject(code: RejectCode, message: string): Step {
    this.effects.push({ type: "Reject", code, message });
    return this.done(this.ctx.state, "rejected", `${code}: ${message}`);
  }
}

export function newOrder(
  event: IssuanceEventOf<IssuanceEventType>,
  status: OrderState["status"],
): OrderState {
  return {
    orderId: event.orderId,
    merchantId: event.merchantId,
    status,
    invoices: [],
    refunds: [],
  };
}
