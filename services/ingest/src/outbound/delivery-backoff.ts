/**
 * When a failed delivery is tried again (pure): exponential from `baseMs`, capped at `maxMs`, with
 * "equal jitter" (half fixed, half random) so endpoints that failed together do not retry in lockstep.
 * A Retry-After the endpoint sent (429, 503) is honoured when it asks for longer, within `maxMs`.
 */
export function retryDelayMs(input: {
  /** The attempt that just failed, 1-based. */
  attempt: number;
  baseMs: number;
  maxMs: number;
  /** Seconds from a Retry-After header, when the answer had one. */
  retryAfterSeconds?: number;
  /** [0, 1). */
  random: number;
}): number {
  const exponent = Math.min(Math.max(input.attempt - 1, 0), 30);
  const ceiling = Math.min(input.maxMs, input.baseMs * 2 ** exponent);
  const jittered = ceiling / 2 + (ceiling / 2) * input.random;
  const asked = input.retryAfterSeconds === undefined ? 0 : input.retryAfterSeconds * 1000;
  return Math.round(Math.min(input.maxMs, Math.max(jittered, asked)));
}

/** Retry-After as seconds (delta-seconds or an HTTP date), or undefined when absent or unusable. */
export function parseRetryAfter(value: string | string[] | undefined, now: number): number | undefined {
  const text = Array.isArray(value) ? value[0] : value;
  if (text === undefined || text.trim() === "") return undefined;
  if (/^\d{1,9}$/.test(text.trim())) return Number(text.trim());
  const at = Date.parse(text);
  return Number.isNaN(at) ? undefined : Math.max(0, Math.ceil((at - now) / 1000));
}

export type AttemptOutcome = "DELIVERED" | "RETRY" | "FAILED" | "REFUSED";

/** What an HTTP status means for the delivery: 2xx done; 408, 429, 5xx again later; the rest never. */
export function classifyStatus(status: number): AttemptOutcome {
  if (status >= 200 && status < 300) return "DELIVERED";
  if (status === 408 || status === 429 || status >= 500) return "RETRY";
  return "FAILED";
}
