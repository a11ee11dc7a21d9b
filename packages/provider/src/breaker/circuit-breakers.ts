import {
  type Gauge,
  invoiceCounter,
  invoiceGauge,
  invoiceHistogram,
  type Logger,
  type Registry,
} from "@invoice/observability";
import CircuitBreaker from "opossum";
import type { IssueOutcome, IssueRequest, LookupOutcome, LookupRequest, ProviderAdapter } from "../port.ts";
import { ProviderError } from "../provider-error.ts";

export interface CircuitBreakerOptions {
  /** Where the breaker-state gauge and the call metrics are registered (the service's registry). */
  registry: Registry;
  logger: Logger;
  /** Share of failed calls in the rolling window that opens the breaker. Default 50 (%). */
  errorThresholdPercentage?: number;
  /** Calls in the window before the breaker may open at all. Default 10. */
  volumeThreshold?: number;
  /** Length of the rolling window. Default 10 s. */
  rollingWindowMs?: number;
  /** How long the breaker stays open before letting one probe through (half-open). Default 10 s. */
  resetTimeoutMs?: number;
  /** `retryAt` offset for calls refused while the half-open probe is in flight. Default 1 s. */
  probeRetryMs?: number;
  now?: () => number;
}

/** Gauge values: what dashboards and alerts read. */
export const BREAKER_STATE = { closed: 0, "half-open": 1, open: 2 } as const;
export type BreakerState = keyof typeof BREAKER_STATE;

type Outcome = IssueOutcome | LookupOutcome;
type Operation = "issue" | "lookup";

/** A transient failure travels through opossum as a rejection so that it counts; unwrapped after. */
class CountedFailure extends Error {
  constructor(readonly outcome: Outcome) {
    super("provider call failed transiently");
  }
}

/**
 * Does a failed outcome say the endpoint is unhealthy? Transient failures do (network, timeouts, 5xx,
 * 429, unreadable answers); permanent ones (validation, auth, config) and the caller's own
 * cancellation do not — a merchant's bad series must not cut every other merchant off.
 */
function countsAgainstEndpoint(outcome: Outcome): boolean {
  return outcome.kind === "failed" && outcome.error.retriable && outcome.error.code !== "PROVIDER_CANCELLED";
}

class EndpointBreaker {
  private readonly breaker: CircuitBreaker<[() => Promise<Outcome>], Outcome>;
  private openedAtMs = 0;
  state: BreakerState = "closed";

  constructor(
    private readonly labels: { provider: string; endpoint: string; operation: Operation },
    private readonly options: Required<Omit<CircuitBreakerOptions, "registry" | "logger">>,
    private readonly gauge: Gauge<"provider" | "endpoint" | "operation">,
    private readonly logger: Logger,
  ) {
    this.breaker = new CircuitBreaker(
      async (call: () => Promise<Outcome>) => {
        const outcome = await call();
        if (countsAgainstEndpoint(outcome)) throw new CountedFailure(outcome);
        return outcome;
      },
      {
        // Our HTTP client owns timeouts: an opossum timeout would leave the request running at the
        // provider while we report a failure — exactly the unknown outcome we must not invent.
        timeout: false,
        errorThresholdPercentage: options.errorThresholdPercentage,
        volumeThreshold: options.volumeThreshold,
        rollingCountTimeout: options.rollingWindowMs,
        rollingCountBuckets: 10,
        resetTimeout: options.resetTimeoutMs,
      },
    );
    this.gauge.set(labels, BREAKER_STATE.closed);
    this.breaker.on("open", () => {
      this.openedAtMs = this.options.now();
      this.change("open");
    });
    this.breaker.on("halfOpen", () => this.change("half-open"));
    this.breaker.on("close", () => this.change("closed"));
  }

  private change(state: BreakerState): void {
    this.state = state;
    this.gauge.set(this.labels, BREAKER_STATE[state]);
    const retryAt =
      state === "open" ? new Date(this.openedAtMs + this.options.resetTimeoutMs).toISOString() : undefined;
    const fields = { ...this.labels, state, ...(retryAt ? { retryAt } : {}) };
    if (state === "closed") this.logger.info(fields, "provider circuit breaker closed");
    else this.logger.warn(fields, "provider circuit breaker state changed");
  }

  /** When a refused call should be tried again: the half-open time, or shortly after the probe. */
  private retryAt(): number {
    const nowMs = this.options.now();
    if (this.state === "open") return Math.max(nowMs, this.openedAtMs + this.options.resetTimeoutMs);
    return nowMs + this.options.probeRetryMs;
  }

  async run<T extends Outcome>(call: () => Promise<T>, refused: (error: ProviderError) => T): Promise<T> {
    try {
      return (await this.breaker.fire(call)) as T;
    } catch (error) {
      if (error instanceof CountedFailure) return error.outcome as T;
      if ((error as { code?: unknown }).code === "EOPENBREAKER") {
        const retryAt = this.retryAt();
        const providerError = new ProviderError(
          "PROVIDER_BREAKER_OPEN",
          `circuit breaker ${this.state} for ${this.labels.operation} at ${this.labels.endpoint}; retry at ${new Date(retryAt).toISOString()}`,
          {
            operation: this.labels.operation === "issue" ? "createInvoice" : "searchInvoiceByTransactionUuid",
            retryAt,
          },
        );
        return refused(providerError);
      }
      throw error;
    }
  }

  shutdown(): void {
    this.breaker.shutdown();
  }
}

export interface GuardedProviderAdapter extends ProviderAdapter {
  /** Current breaker state per operation (also the `invoice_provider_breaker_state` gauge). */
  breakerState(operation: Operation): BreakerState;
}

/**
 * Puts one opossum circuit breaker in front of each operation of an adapter (one adapter = one
 * provider base URL, so: per endpoint and operation). An open breaker answers at once with a
 * transient, certainly-not-created PROVIDER_BREAKER_OPEN failure whose `retryAt` is when the breaker
 * lets a probe through, so the caller can park the send until then instead of spending attempts.
 *
 * Metrics: `invoice_provider_breaker_state{provider,endpoint,operation}` (0 closed, 1 half-open,
 * 2 open), `invoice_provider_calls_total{provider,operation,outcome,code}` and
 * `invoice_provider_call_seconds{provider,operation}`.
 */
export function withCircuitBreakers(
  adapter: ProviderAdapter,
  options: CircuitBreakerOptions,
): GuardedProviderAdapter {
  const settings = {
    errorThresholdPercentage: options.errorThresholdPercentage ?? 50,
    volumeThreshold: options.volumeThreshold ?? 10,
    rollingWindowMs: options.rollingWindowMs ?? 10_000,
    resetTimeoutMs: options.resetTimeoutMs ?? 10_000,
    probeRetryMs: options.probeRetryMs ?? 1_000,
    now: options.now ?? Date.now,
  };
  const gauge = invoiceGauge(options.registry, {
    name: "provider_breaker_state",
    help: "Provider circuit breaker state per endpoint and operation: 0 closed, 1 half-open, 2 open.",
    labelNames: ["provider", "endpoint", "operation"] as const,
  });
  const calls = invoiceCounter(options.registry, {
    name: "provider_calls",
    help: "Provider calls by operation and outcome (issued, accepted, found, pending, not-found, failed); code for failures.",
    labelNames: ["provider", "operation", "outcome", "code"] as const,
  });
  const seconds = invoiceHistogram(options.registry, {
    name: "provider_call",
    help: "Duration of provider calls, including breaker refusals.",
    labelNames: ["provider", "operation"] as const,
  });
  const labels = { provider: adapter.provider, endpoint: adapter.endpoint };
  const breakers = {
    issue: new EndpointBreaker({ ...labels, operation: "issue" }, settings, gauge, options.logger),
    lookup: new EndpointBreaker({ ...labels, operation: "lookup" }, settings, gauge, options.logger),
  };
  const measured = async <T extends Outcome>(operation: Operation, run: () => Promise<T>): Promise<T> => {
    const stop = seconds.startTimer({ provider: adapter.provider, operation });
    const outcome = await run();
    stop();
    const code = outcome.kind === "failed" ? outcome.error.code : "";
    calls.inc({ provider: adapter.provider, operation, outcome: outcome.kind, code });
    return outcome;
  };
  return {
    provider: adapter.provider,
    endpoint: adapter.endpoint,
    issue: (request: IssueRequest, callOptions?: { signal?: AbortSignal }) =>
      measured("issue", () =>
        breakers.issue.run(
          () => adapter.issue(request, callOptions),
          (error): IssueOutcome => ({
            kind: "failed",
            attemptId: request.attemptId,
            idempotencyKey: request.idempotencyKey,
            error,
          }),
        ),
      ),
    lookup: (request: LookupRequest, callOptions?: { signal?: AbortSignal }) =>
      measured("lookup", () =>
        breakers.lookup.run(
          () => adapter.lookup(request, callOptions),
          (error): LookupOutcome => ({ kind: "failed", idempotencyKey: request.idempotencyKey, error }),
        ),
      ),
    breakerState: (operation) => breakers[operation].state,
    close: async () => {
      breakers.issue.shutdown();
      breakers.lookup.shutdown();
      await adapter.close();
    },
  };
}
