/**
 * The send retry schedule: exponential with full jitter (AWS "Exponential Backoff and Jitter"), so
 * orders failing together do not retry together. `random` in [0, 1) is a parameter (tests).
 */
export interface BackoffPolicy {
  baseMs: number;
  maxMs: number;
}

export function retryDelayMs(policy: BackoffPolicy, retry: number, random: number): number {
  const ceiling = Math.min(policy.maxMs, policy.baseMs * 2 ** Math.max(0, retry));
  // Never below half the ceiling: full jitter can otherwise retry at once, spending the budget.
  return Math.round(ceiling / 2 + (ceiling / 2) * random);
}
