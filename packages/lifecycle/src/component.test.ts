import { describe, expect, it } from "vitest";
import { ComponentStoppedError, createComponent } from "./component.ts";

function recorder() {
  const calls: string[] = [];
  return { calls, record: (name: string) => () => void calls.push(name) };
}

describe("createComponent", () => {
  it("starts once however often and concurrently start is called", async () => {
    const { calls, record } = recorder();
    const component = createComponent({ start: record("start"), stop: record("stop") });
    await Promise.all([component.start(), component.start()]);
    await component.start();
    expect(calls).toEqual(["start"]);
  });

  it("stops once however often and concurrently stop is called", async () => {
    const { calls, record } = recorder();
    const component = createComponent({ start: record("start"), stop: record("stop") });
    await component.start();
    await Promise.all([component.stop(), component.stop()]);
    await component.stop();
    expect(calls).toEqual(["start", "stop"]);
  });

  it("stop before start releases nothing, and start afterwards is refused", async () => {
    const { calls, record } = recorder();
    const component = createComponent({ start: record("start"), stop: record("stop") });
    await component.stop();
    await expect(component.start()).rejects.toBeInstanceOf(ComponentStoppedError);
    await expect(component.start()).rejects.toMatchObject({ code: "COMPONENT_STOPPED", retriable: false });
    expect(calls).toEqual([]);
  });

  it("stop during start waits for start to finish, then stops", async () => {
    const calls: string[] = [];
    let finishStart: () => void = () => undefined;
    const component = createComponent({
      start: () =>
        new Promise<void>((resolve) => {
          calls.push("start begun");
          finishStart = () => {
            calls.push("start done");
            resolve();
          };
        }),
      stop: () => void calls.push("stop"),
    });
    const started = component.start();
    const stopped = component.stop();
    await Promise.resolve();
    expect(calls).toEqual(["start begun"]);
    finishStart();
    await Promise.all([started, stopped]);
    expect(calls).toEqual(["start begun", "start done", "stop"]);
  });

  it("after a failed start, stop still releases what was acquired and start keeps failing", async () => {
    const { calls, record } = recorder();
    const component = createComponent({
      start: () => {
        calls.push("start");
        throw new Error("broker unreachable");
      },
      stop: record("stop"),
    });
    await expect(component.start()).rejects.toThrow("broker unreachable");
    await expect(component.start()).rejects.toThrow("broker unreachable");
    await component.stop();
    expect(calls).toEqual(["start", "stop"]);
  });

  it("propagates a failing stop to every caller", async () => {
    const component = createComponent({
      start: () => undefined,
      stop: () => Promise.reject(new Error("flush failed")),
    });
    await component.start();
    await expect(component.stop()).rejects.toThrow("flush failed");
    await expect(component.stop()).rejects.toThrow("flush failed");
  });
});
