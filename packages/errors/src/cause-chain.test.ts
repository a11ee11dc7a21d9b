import { describe, expect, it } from "vitest";
import { causeChain, describeChain, innermostPlatformError, isRetriable } from "./cause-chain.ts";
import { PlatformError } from "./platform-error.ts";

const retriable = (code: string, cause?: unknown) =>
  new PlatformError(code, `${code} happened`, { retriable: true, cause });
const permanent = (code: string, cause?: unknown) =>
  new PlatformError(code, `${code} happened`, { retriable: false, cause });

describe("isRetriable", () => {
  it("is true only when every classified link is retriable", () => {
    expect(isRetriable(retriable("A", retriable("B")))).toBe(true);
    expect(isRetriable(retriable("A", permanent("B")))).toBe(false);
    expect(isRetriable(permanent("A", retriable("B")))).toBe(false);
  });

  it("ignores unclassified links between classified ones", () => {
    const chain = retriable("A", new Error("plain", { cause: retriable("B") }));
    expect(isRetriable(chain)).toBe(true);
    const hidden = retriable("A", new Error("plain", { cause: permanent("B") }));
    expect(isRetriable(hidden)).toBe(false);
  });

  it("is false for an error nobody classified, whatever it claims", () => {
    expect(isRetriable(new TypeError("x is undefined"))).toBe(false);
    expect(isRetriable(Object.assign(new Error("flagged"), { retriable: true }))).toBe(false);
    expect(isRetriable("a string")).toBe(false);
    expect(isRetriable(undefined)).toBe(false);
  });

  it("looks into AggregateError members and kafkajs' originalError", () => {
    const aggregate = new AggregateError([retriable("A"), permanent("B")], "two failures");
    expect(isRetriable(aggregate)).toBe(false);
    const kafkajsStyle = Object.assign(new Error("wrapper"), { originalError: permanent("AUTH") });
    expect(isRetriable(retriable("OUTER", kafkajsStyle))).toBe(false);
  });
});

describe("causeChain", () => {
  it("cuts cycles", () => {
    const a = new Error("a") as Error & { cause?: unknown };
    const b = new Error("b", { cause: a });
    a.cause = b;
    expect(causeChain(a)).toEqual([a, b]);
  });

  it("never throws on links whose properties cannot be read (a throwing getter, a revoked proxy)", () => {
    const hostile = Object.defineProperty(retriable("OUTER"), "cause", {
      get() {
        throw new Error("getter exploded");
      },
    });
    const { proxy, revoke } = Proxy.revocable(new Error("proxied"), {});
    revoke();
    expect(() => causeChain(hostile)).not.toThrow();
    expect(isRetriable(hostile)).toBe(true);
    expect(isRetriable(retriable("OUTER", proxy))).toBe(true);
    expect(describeChain(retriable("OUTER", proxy))).toContain("OUTER");
  });

  it("stops at a bounded depth", () => {
    let error: unknown = new Error("root");
    for (let i = 0; i < 100; i++) error = new Error(`level ${i}`, { cause: error });
    expect(causeChain(error)).toHaveLength(32);
  });
});

describe("innermostPlatformError and describeChain", () => {
  it("finds the most specific classification and describes the chain on one line", () => {
    const inner = permanent("INNER");
    const outer = retriable("OUTER", new Error("middle\nline", { cause: inner }));
    expect(innermostPlatformError(outer)).toBe(inner);
    expect(describeChain(outer)).toBe("OUTER: OUTER happened <- Error: middle line <- INNER: INNER happened");
    expect(describeChain(outer, 10)).toHaveLength(10);
  });
});
