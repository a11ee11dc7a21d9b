import { describe, expect, it } from "vitest";
import type { IssueOutcome } from "../src/index.ts";
import { sampleIssueRequest } from "../src/testing/index.ts";
import { useHarness } from "./helpers.ts";

const start = useHarness();

/** Sends `total` invoices with at most `concurrency` in flight; returns the outcomes and the rate. */
async function pump(issue: () => Promise<IssueOutcome>, total: number, concurrency: number) {
  const outcomes: IssueOutcome[] = [];
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < total) {
        next += 1;
        outcomes.push(await issue());
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  return { outcomes, perSecond: Math.round(total / seconds), seconds };
}

// Not a timed assertion (benchmarks live in bench/): it prints the figures and checks that every
// send was issued exactly once under load.
describe("throughput through adapter and simulator (figures printed, not asserted)", () => {
  for (const [latencyMs, total, concurrency] of [
    [200, 1_500, 400],
    [1, 3_000, 100],
  ] as const) {
    it(`${total} sends at ${latencyMs} ms provider latency, ${concurrency} in flight`, async () => {
      const h = await start({ latency: { kind: "fixed", ms: latencyMs } });
      const requests = Array.from({ length: total }, () => sampleIssueRequest("anonymous"));
      let i = 0;
      const run = await pump(
        () => h.adapter.issue(requests[i++] as (typeof requests)[number]),
        total,
        concurrency,
      );
      const report = h.simulator.report();
      process.stdout.write(
        `[throughput] latency=${latencyMs}ms sends=${total} inFlight=${concurrency} -> ${run.perSecond}/s in ${run.seconds.toFixed(2)} s; simulator rss=${Math.round(report.memory.rssBytes / 1e6)} MB\n`,
      );
      expect(run.outcomes.filter((o) => o.kind !== "issued")).toEqual([]);
      expect(report).toMatchObject({ issued: total, distinctKeys: total, duplicateKeys: 0 });
      expect(report.counters.login.ok).toBe(1);
    });
  }
});
