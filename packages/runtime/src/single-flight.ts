/**
 * At most one call of `fn` in flight: callers arriving while it runs share its result. Readiness
 * probes use it so that a probe outliving /ready's timeout (a broker that does not answer) is joined
 * by the next /ready instead of starting yet another connection attempt.
 *
 * A shared call older than `maxAgeMs` is no longer joined: a new one starts, so a probe stuck on a
 * dead connection cannot keep /ready failing after the dependency has recovered.
 */
export function singleFlight<T>(
  fn: () => Promise<T>,
  { maxAgeMs = 10_000, now = Date.now } = {},
): () => Promise<T> {
  let inFlight: { promise: Promise<T>; startedAt: number } | undefined;
  return () => {
    if (inFlight && now() - inFlight.startedAt <= maxAgeMs) return inFlight.promise;
    const current = {
      startedAt: now(),
      promise: fn().finally(() => {
        if (inFlight === current) inFlight = undefined;
      }),
    };
    inFlight = current;
    return current.promise;
  };
}
