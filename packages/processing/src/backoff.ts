export interface BackoffOptions {
  /** First delay, milliseconds. */
  initialMs: number;
  /** Cap, milliseconds. */
  maxMs: number;
}

/**
 * Delay before the `failures`-th retry in place (1-based): doubling from `initialMs`, capped at
 * `maxMs`, with "equal jitter" (half fixed, half random) so stalled members do not retry in step.
 */
export function backoffDelay(
  failures: number,
  options: BackoffOptions,
  random: () => number = Math.random,
): number {
  const exponent = Math.min(Math.max(failures - 1, 0), 30);
  const ceiling = Math.min(options.maxMs, options.initialMs * 2 ** exponent);
  return Math.round(ceiling / 2 + (ceiling / 2) * random());
}
