import { describe, expect, it } from "vitest";
import { runReadinessChecks } from "./readiness.ts";

describe("runReadinessChecks", () => {
  it("is ready with no checks", async () => {
    expect(await runReadinessChecks({}, 100, () => undefined)).toEqual({ ready: true, checks: {} });
  });

  it("runs checks concurrently", async () => {
    // Each check waits for the other to have started: sequential execution would time out both.
    let releaseA: () => void = () => undefined;
    let releaseB: () => void = () => undefined;
    const aStarted = new Promise<void>((resolve) => {
      releaseB = resolve;
    });
    const bStarted = new Promise<void>((resolve) => {
      releaseA = resolve;
    });
    const report = await runReadinessChecks(
      {
        a: async () => {
          releaseB();
          await bStarted;
        },
        b: async () => {
          releaseA();
          await aStarted;
        },
      },
      1000,
      () => undefined,
    );
    expect(report.ready).toBe(true);
  });

  it("reports a synchronous throw as a failed check instead of crashing", async () => {
    const failures: string[] = [];
    const report = await runReadinessChecks(
      {
        broken: () => {
          throw new Error("sync");
        },
      },
      100,
      (name) => failures.push(name),
    );
    expect(report).toMatchObject({ ready: false, checks: { broken: { status: "failed", reason: "error" } } });
    expect(failures).toEqual(["broken"]);
  });
});
