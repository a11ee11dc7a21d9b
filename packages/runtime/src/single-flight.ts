/**
 * At most one call of `fn` in flight: callers arriving while it runs share its result. Readiness
 * probes use it so that a probe outliving /ready's timeout (a broker that does not answer) is joined
 * by the next /ready instead of starting yet another connection attempt.
 */
export function singleFlight<T>(fn: () => Promise<T>): () => Promise<T> {
  let inFlight: Promise<T> | undefined;
  return () => {
    inFlight ??= fn().finally(() => {
      inFlight = undefined;
    });
    return inFlight;
  };
}
