/**
 * The issuer's batch handler: each record of the batch (one per order) runs on its own, concurrently
 * with the others. A record's run applies its event (one transaction), then performs what the
 * decision asks — publications, provider calls, wake-ups — and feeds the calls' results back through
 * the machine, until the decision asks for nothing more. The run holds the order's key, so nothing
 * else of that order is decided meanwhile (ADR 0017). The record's offset is committed only once its
 * run is over (its disposition returned).
 */
import type { Effect, InvoiceEvent, IssuanceEvent } from "@invoice/domain";
import { isRetriable } from "@invoice/errors";
import type { Logger } from "@invoice/observability";
import {
  type BatchHandler,
  type Delivery,
  deadLetter,
  done,
  type FinalDisposition,
} from "@invoice/processing";
import { type BackoffPolicy, retryDelayMs } from "./backoff.ts";
import type { AttemptLog, DecisionStore } from "./decision-store.ts";
import { redeliveryEvent, retriesExhausted, sendResult, wakeUp } from "./internal-events.ts";
import type { IssuanceMetrics } from "./issuance-metrics.ts";
import type { IssuerInput } from "./issuer-input.ts";
import type { Outbox } from "./outbox.ts";
import type { Outputs } from "./outputs.ts";
import { type ProviderCallContext, performProviderCall } from "./provider-calls.ts";
import { RejectedEventError, withRetries } from "./run-support.ts";

export interface IssuanceHandlerOptions {
  store: DecisionStore;
  outputs: Outputs;
  /** Told which outbox rows were published (ADR 0022); without it the rows wait for the relay. */
  outbox?: Pick<Outbox, "published">;
  provider: ProviderCallContext;
  retry: BackoffPolicy & { maxRetries: number };
  metrics: IssuanceMetrics;
  now?: () => number;
  random?: () => number;
}

interface Step {
  event: IssuanceEvent;
  attempts: AttemptLog[];
  /** The record's own event (a rejection of it sends the record to the DLQ). */
  primary: boolean;
}

type WakeUpEffect = Extract<Effect, { type: "ScheduleWakeUp" }>;
type Published = Extract<Effect, { type: "PublishInvoiceEvent" }>;

export function createIssuanceHandler(options: IssuanceHandlerOptions): BatchHandler<IssuerInput> {
  const now = options.now ?? Date.now;
  const random = options.random ?? Math.random;

  async function runRecord(delivery: Delivery<IssuerInput>): Promise<FinalDisposition> {
    const { event, wake } = delivery.value;
    const record = delivery.record;
    const log = delivery.log.child({ orderId: event.orderId, merchantId: event.merchantId });
    const first: IssuanceEvent = wake
      ? wakeUp(event, wake.eventId, wake.reason, wake.attemptId, now())
      : event;
    let retries = wake?.retries ?? 0;
    let lastError = {
      code: record.headers["retry.error.code"] ?? "SEND_FAILED",
      message: record.headers["retry.error.message"] ?? "provider call failed",
    };
    const retryAfter = new Map<string, number>();
    const queue: Step[] = [{ event: first, attempts: [], primary: true }];
    let final: FinalDisposition = done();

    while (queue.length > 0) {
      const step = queue.shift() as Step;
      const committed = await withRetries(() => options.store(step.event, step.attempts), log);
      if (committed.kind === "duplicate") {
        log.info(
          { eventId: step.event.eventId, eventType: step.event.type },
          "[issuer] event already applied",
        );
        if (step.primary && !wake)
          queue.push({ event: redeliveryEvent(event, record, now()), attempts: [], primary: false });
        continue;
      }
      if (committed.kind === "rejected") {
        options.metrics.outcome("rejected");
        const error = new RejectedEventError(committed.code, committed.message);
        if (step.primary) {
          log.warn(
            { eventId: step.event.eventId, code: committed.code, reason: "non-retryable" },
            "[DLQ] invoice-issuance",
          );
          final = deadLetter("non-retryable", error);
        } else {
          log.error(
            { eventId: step.event.eventId, err: error },
            "[issuer] internal event refused by the machine",
          );
        }
        continue;
      }
      const { decision, state, invoices } = committed;
      const audit = decision.effects.find((e) => e.type === "RecordAudit");
      log.info(
        {
          eventId: step.event.eventId,
          eventType: step.event.type,
          outcome: audit?.type === "RecordAudit" ? audit.audit.outcome : undefined,
          before: audit?.type === "RecordAudit" ? audit.audit.before : undefined,
          after: state?.status,
          effects: decision.effects.map((e) => e.type),
        },
        "[handlePaymentSuccess]",
      );
      const events = decision.effects
        .filter((e): e is Published => e.type === "PublishInvoiceEvent")
        .map((e) => e.event);
      await withRetries(() => options.outputs.publish(events, invoices), log);
      options.outbox?.published(committed.outbox);
      for (const e of decision.effects) {
        if (e.type === "RecordForHuman") {
          options.metrics.outcome("review-required");
          log.warn({ code: e.code, message: e.message }, "[issuer] case for a human");
        }
      }
      final = failureDisposition(events, log) ?? final;

      // Provider calls, concurrently (they are on different keys of the order), results fed back.
      const calls = decision.effects.filter(
        (e) =>
          e.type === "IssueInvoice" ||
          e.type === "IssueAdjustment" ||
          e.type === "IssueReplacement" ||
          e.type === "LookUpInvoice",
      );
      if (state && calls.length > 0) {
        const results = await Promise.all(
          calls.map((call) =>
            performProviderCall(call, state, invoices.get(call.invoiceSeq), options.provider),
          ),
        );
        for (const { result, log: attemptLog, retryAt } of results) {
          options.metrics.outcome(`send-${result.outcome}`);
          if (result.errorCode)
            lastError = { code: result.errorCode, message: result.errorMessage ?? result.errorCode };
          if (retryAt) retryAfter.set(result.attemptId, retryAt);
          queue.push({
            event: sendResult(event, result, now()),
            attempts: attemptLog ? [attemptLog] : [],
            primary: false,
          });
        }
      }

      for (const wakeEffect of decision.effects.filter(
        (e): e is WakeUpEffect => e.type === "ScheduleWakeUp",
      )) {
        if (wakeEffect.retry && retries >= options.retry.maxRetries && wakeEffect.attemptId) {
          queue.push({
            event: retriesExhausted(event, wakeEffect.attemptId, retries, lastError, now()),
            attempts: [],
            primary: false,
          });
          continue;
        }
        let dueAt = wakeEffect.at;
        if (wakeEffect.retry) {
          const backoff = now() + retryDelayMs(options.retry, retries, random());
          dueAt = Math.max(dueAt, backoff, retryAfter.get(wakeEffect.attemptId ?? "") ?? 0);
          retries += 1;
          options.metrics.outcome("retry-scheduled");
          log.warn(
            { attemptId: wakeEffect.attemptId, retry: retries, dueAt, errorCode: lastError.code },
            "[_handleIssuanceFailure] Scheduling retry",
          );
        }
        await withRetries(
          () => options.outputs.scheduleWakeUp(record, wakeEffect, dueAt, retries, lastError),
          log,
        );
      }
    }
    return final;
  }

  return async (batch) => {
    const settled = await Promise.allSettled(
      batch.map(async (delivery) => {
        try {
          return await runRecord(delivery);
        } catch (error) {
          if (isRetriable(error)) throw error;
          delivery.log.error({ err: error, reason: "non-retryable" }, "[DLQ] invoice-issuance");
          return deadLetter("non-retryable", error);
        }
      }),
    );
    // An outage that outlasted withRetries: once every run of the batch has stopped, the whole batch
    // is handed over again (runs that had finished are then duplicates, which change nothing).
    const outage = settled.find((s): s is PromiseRejectedResult => s.status === "rejected");
    if (outage) throw outage.reason;
    return settled.map((s) => (s as PromiseFulfilledResult<FinalDisposition>).value);
  };
}

/** An invoice the provider refused or the retries gave up on: the record goes to the DLQ. */
function failureDisposition(events: InvoiceEvent[], log: Logger): FinalDisposition | undefined {
  const failed = events.find((e) => e.type === "InvoiceFailed");
  if (failed?.type !== "InvoiceFailed") return undefined;
  const { errorCode, errorMessage } = failed.payload;
  const reason = errorCode === "RETRIES_EXHAUSTED" ? "exhausted" : "non-retryable";
  log.warn({ errorCode, reason, transactionUuid: failed.payload.transactionUuid }, "[DLQ] invoice-issuance");
  return deadLetter(reason, new RejectedEventError(errorCode, errorMessage));
}
