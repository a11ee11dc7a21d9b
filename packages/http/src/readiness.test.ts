import { describe, expect, it } from "vitest";
import { runReadinessChecks } from "./readiness.ts";

describe("runReadinessChecks", () => {
  it("is ready with no checks", async () => {
    expect(await runReadinessChecks({}, 100, () => undefined)).toEqual({
      ready: true,
      degraded: false,
      checks: {},
    });
  });

  it("stays ready, degraded, when only optional checks fail; not ready when a required one fails", async () => {
    const down = async () => {
      throw Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" });
    };
    const optionalDown = await runReadinessChecks(
      { postgres: async () => undefined, redis: { check: down, optional: true } },
      100,
      () => undefined,
    );
    expect(optionalDown).toMatchObject({
      ready: true,
      degraded: true,
      checks: {
        postgres: { status: "ok" },
        redis: { status: "failed", reason: "error", code: "ECONNREFUSED", optional: true },
      },
    });
    expect(optionalDown.checks.postgres).not.toHaveProperty("optional");
    const optionalHung = await runReadinessChecks(
      { redis: { check: () => new Promise<void>(() => undefined), optional: true } },
      20,
      () => undefined,
    );
    expect(optionalHung).toMatchObject({
      ready: true,
      degraded: true,
      checks: { redis: { reason: "timeout" } },
    });
    const requiredDown = await runReadinessChecks(
      { postgres: down, redis: { check: async () => undefined, optional: true } },
      100,
      () => undefined,
    );
    expect(requiredDown).toMatchObject({
      ready: false,
      degraded: false,
      checks: { redis: { status: "ok", optional: true } },
    });
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
