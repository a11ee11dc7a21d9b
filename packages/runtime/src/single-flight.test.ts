import { describe, expect, it } from "vitest";
import { singleFlight } from "./single-flight.ts";

describe("singleFlight", () => {
  it("shares one in-flight call between concurrent callers", async () => {
    let calls = 0;
    let release: (value: number) => void = () => {};
    const probe = singleFlight(() => {
      calls++;
      return new Promise<number>((resolve) => {
        release = resolve;
      });
    });
    const first = probe();
    const second = probe();
    release(7);
    expect(await Promise.all([first, second])).toEqual([7, 7]);
    expect(calls).toBe(1);
  });

  it("starts a new call once the previous one settled, also after a failure", async () => {
    let calls = 0;
    const probe = singleFlight(async () => {
      calls++;
      if (calls === 1) throw new Error("down");
      return calls;
    });
    await expect(probe()).rejects.toThrow("down");
    expect(await probe()).toBe(2);
  });

  it("stops joining a call that has been in flight longer than maxAgeMs", async () => {
    let clock = 0;
    let calls = 0;
    const probe = singleFlight(
      () => {
        calls++;
        return new Promise<void>(() => {});
      },
      { maxAgeMs: 1_000, now: () => clock },
    );
    void probe();
    clock = 1_000;
    void probe();
    expect(calls).toBe(1);
    clock = 1_001;
    void probe();
    expect(calls).toBe(2);
  });
});
