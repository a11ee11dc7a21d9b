/** A dependency probe: resolves when reachable, rejects (or hangs) when not. */
export type ReadinessCheck = () => Promise<void>;

/**
 * A dependency the service keeps serving without, in a degraded way (a cache, a schedule another store
 * backs): its failure is reported, and the service stays ready. Taking every instance out of rotation
 * because a dependency it can do without is down would turn a degradation into an outage.
 */
export interface OptionalReadinessCheck {
  check: ReadinessCheck;
  optional: true;
}

export type ReadinessEntry = ReadinessCheck | OptionalReadinessCheck;

export type CheckResult =
  | { status: "ok"; durationMs: number; optional?: true }
  | { status: "failed"; durationMs: number; reason: "timeout" | "error"; code?: string; optional?: true };

export interface ReadinessReport {
  /** Every required check passed. */
  ready: boolean;
  /** Ready, but an optional check failed. */
  degraded: boolean;
  checks: Record<string, CheckResult>;
}

/**
 * Runs every check concurrently, each bounded by `timeoutMs` (a hung dependency must not hang the probe
 * past the orchestrator's own probe timeout). Failure details stay in the log: the response only says
 * which check failed and whether it timed out, plus the error's `code` when it has one.
 */
export async function runReadinessChecks(
  checks: Readonly<Record<string, ReadinessEntry>>,
  timeoutMs: number,
  onFailure: (name: string, error: unknown) => void,
): Promise<ReadinessReport> {
  const entries = await Promise.all(
    Object.entries(checks).map(async ([name, entry]): Promise<[string, CheckResult]> => {
      const [check, optional] = typeof entry === "function" ? [entry, false] : [entry.check, true];
      const mark = optional ? ({ optional: true } as const) : {};
      const startedAt = performance.now();
      const elapsed = () => Math.round(performance.now() - startedAt);
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<"timeout">((resolve) => {
        timer = setTimeout(() => resolve("timeout"), timeoutMs);
      });
      try {
        const outcome = await Promise.race([Promise.resolve().then(check), timeout]);
        if (outcome === "timeout") {
          onFailure(name, new Error(`readiness check timed out after ${timeoutMs} ms`));
          return [name, { status: "failed", durationMs: elapsed(), reason: "timeout", ...mark }];
        }
        return [name, { status: "ok", durationMs: elapsed(), ...mark }];
      } catch (error) {
        onFailure(name, error);
        const code = (error as { code?: unknown } | null)?.code;
        return [
          name,
          {
            status: "failed",
            durationMs: elapsed(),
            reason: "error",
            ...(typeof code === "string" ? { code } : {}),
            ...mark,
          },
        ];
      } finally {
        clearTimeout(timer);
      }
    }),
  );
  const results = Object.fromEntries(entries);
  const failed = entries.filter(([, result]) => result.status !== "ok");
  const ready = failed.every(([, result]) => result.optional === true);
  return { ready, degraded: ready && failed.length > 0, checks: results };
}
