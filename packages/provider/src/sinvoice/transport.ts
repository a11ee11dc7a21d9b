import { causeChain } from "@invoice/errors";
import { Agent, request } from "undici";
import { ProviderError, type ProviderErrorCode, type ProviderOperation } from "../provider-error.ts";

export interface HttpAnswer {
  status: number;
  /** Retry-After in seconds, when the provider sent one. */
  retryAfterSeconds?: number;
  body: string;
}

export interface TransportOptions {
  /** TCP (and TLS) connect timeout; a connect failure means nothing was sent. */
  connectTimeoutMs: number;
  /** Sockets kept per origin; hundreds of sends in flight need as many. */
  connections: number;
}

/** Pooled keep-alive HTTP/1.1 client (undici) for one provider origin set. */
export class Transport {
  private readonly agent: Agent;

  constructor(options: TransportOptions) {
    this.agent = new Agent({
      connect: { timeout: options.connectTimeoutMs },
      connections: options.connections,
      keepAliveTimeout: 4_000,
      // POST is not idempotent: never pipeline (a broken pipe would leave several requests unknown).
      pipelining: 1,
    });
  }

  /**
   * POSTs and reads the whole answer within `timeoutMs` (headers and body). Throws the raw error on
   * failure; {@link classifyTransportError} turns it into a ProviderError.
   */
  async post(
    url: string,
    body: string,
    headers: Record<string, string>,
    timeoutMs: number,
    signal?: AbortSignal,
  ): Promise<HttpAnswer> {
    // One controller per call, fed by our deadline and the caller's signal. Not AbortSignal.any: a
    // long-lived caller signal (the service's shutdown signal) would collect a dependent per call.
    const controller = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, timeoutMs);
    const onAbort = () => controller.abort(signal?.reason);
    if (signal?.aborted) onAbort();
    else signal?.addEventListener("abort", onAbort, { once: true });
    try {
      const response = await request(url, {
        method: "POST",
        body,
        headers,
        dispatcher: this.agent,
        headersTimeout: timeoutMs,
        bodyTimeout: timeoutMs,
        signal: controller.signal,
      });
      const text = await response.body.text();
      const answer: HttpAnswer = { status: response.statusCode, body: text };
      const retryAfter = Number(response.headers["retry-after"]);
      if (Number.isFinite(retryAfter) && retryAfter >= 0) answer.retryAfterSeconds = retryAfter;
      return answer;
    } catch (error) {
      if (!timedOut) throw error;
      throw Object.assign(new Error(`no complete answer within ${timeoutMs} ms`, { cause: error }), {
        name: "TimeoutError",
      });
    } finally {
      clearTimeout(timer);
      signal?.removeEventListener("abort", onAbort);
    }
  }

  close(): Promise<void> {
    return this.agent.close();
  }
}

const REFUSED = new Set(["ECONNREFUSED"]);
const DNS = new Set(["ENOTFOUND", "EAI_AGAIN", "EAI_NODATA", "EAI_NONAME"]);
const CONNECT_TIMEOUT = new Set(["UND_ERR_CONNECT_TIMEOUT"]);
const TIMEOUT = new Set(["UND_ERR_HEADERS_TIMEOUT", "UND_ERR_BODY_TIMEOUT", "ETIMEDOUT"]);

function codesOf(error: unknown): { codes: Set<string>; names: Set<string> } {
  const codes = new Set<string>();
  const names = new Set<string>();
  for (const link of causeChain(error)) {
    if (typeof link !== "object" || link === null) continue;
    const { code, name } = link as { code?: unknown; name?: unknown };
    if (typeof code === "string") codes.add(code);
    if (typeof name === "string") names.add(name);
  }
  return { codes, names };
}

const has = (codes: Set<string>, wanted: Set<string>) => [...codes].some((c) => wanted.has(c));

/**
 * A network-level failure as a ProviderError. Only failures that happen before any byte of the
 * request can reach the provider (refused, DNS, connect timeout) are "not-created"; everything after
 * (timeouts, resets, closed sockets, anything unrecognised) is "unknown" — wrongly calling an unknown
 * outcome "not created" could issue an invoice twice, the other mistake only costs a lookup.
 */
export function classifyTransportError(
  error: unknown,
  operation: ProviderOperation,
  callerSignal: AbortSignal | undefined,
): ProviderError {
  const { codes, names } = codesOf(error);
  let code: ProviderErrorCode;
  if (has(codes, REFUSED)) code = "PROVIDER_CONNECTION_REFUSED";
  else if (has(codes, DNS)) code = "PROVIDER_DNS_FAILURE";
  else if (has(codes, CONNECT_TIMEOUT)) code = "PROVIDER_CONNECT_TIMEOUT";
  else if (callerSignal?.aborted) code = "PROVIDER_CANCELLED";
  else if (
    has(codes, TIMEOUT) ||
    names.has("TimeoutError") ||
    codes.has("UND_ERR_ABORTED") ||
    names.has("AbortError")
  ) {
    code = "PROVIDER_TIMEOUT";
  } else code = "PROVIDER_CONNECTION_LOST";
  const detail = error instanceof Error ? error.message : String(error);
  return new ProviderError(code, `${operation}: ${detail}`, { operation, cause: error });
}
