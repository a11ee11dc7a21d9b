/** A dependency probe: resolves when reachable, rejects (or hangs) when not. */
export type ReadinessCheck = () => Promise<void>;

export type CheckResult =
  | { status: "ok"; durationMs: number }
  | { status: "failed"; durationMs: number; reason: "timeout" | "error"; code?: string };

export interface ReadinessReport {
  ready: boolean;
  checks: Record<string, CheckResult>;
}

/**
 * Runs every check concurrently, each bounded by `timeoutMs` (a hung dependency must not hang the probe
 * past the orchestrator's own probe timeout). Failure details stay in the log: the response only says
 * which check failed and whether it timed out, plus the error's `code` when it has one.
 */
export async function runReadinessChecks(
  checks: Readonly<Record<string, ReadinessCheck>>,
  timeoutMs: number,
  onFailure: (name: string, error: unknown) => void,
): Promise<ReadinessReport> {
  const entries = await Promise.all(
    Object.entries(checks).map(async ([name, check]): Promise<[string, CheckResult]> => {
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
          return [name, { status: "failed", durationMs: elapsed(), reason: "timeout" }];
        }
        return [name, { status: "ok", durationMs: elapsed() }];
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
          },
        ];
      } finally {
        clearTimeout(timer);
      }
    }),
  );
  const results = Object.fromEntries(entries);
  return { ready: entries.every(([, result]) => result.status === "ok"), checks: results };
}
