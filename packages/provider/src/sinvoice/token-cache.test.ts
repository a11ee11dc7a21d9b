import { describe, expect, it } from "vitest";
import { ProviderError } from "../provider-error.ts";
import { type AccessToken, refreshTime, TokenCache } from "./token-cache.ts";

const CREDS = { username: "0100109106-509", password: "p1" };

function setup() {
  let now = 1_000_000;
  let logins = 0;
  let failNext = false;
  const release: (() => void)[] = [];
  const cache = new TokenCache(
    async () => {
      logins += 1;
      await new Promise<void>((resolve) => release.push(resolve));
      if (failNext) {
        failNext = false;
        throw new ProviderError("PROVIDER_TIMEOUT", "login timed out", {
          operation: "login",
          verdict: "not-created",
        });
      }
      const token: AccessToken = {
        value: `t${logins}`,
        expiresAtMs: now + 300_000,
        refreshAtMs: refreshTime(now, 300, 60_000),
      };
      return token;
    },
    () => now,
  );
  const settle = async () => {
    while (release.length === 0) await new Promise((r) => setImmediate(r));
    for (const r of release.splice(0)) r();
  };
  return {
    cache,
    settle,
    logins: () => logins,
    advance: (ms: number) => {
      now += ms;
    },
    failOnce: () => {
      failNext = true;
    },
  };
}

describe("TokenCache", () => {
  it("200 concurrent callers without a token cause one login (single flight)", async () => {
    const t = setup();
    const all = Promise.all(Array.from({ length: 200 }, () => t.cache.get(CREDS)));
    await t.settle();
    const tokens = await all;
    expect(new Set(tokens.map((x) => x.value))).toEqual(new Set(["t1"]));
    expect(t.logins()).toBe(1);
  });

  it("reuses the token until its refresh time, then logs in again", async () => {
    const t = setup();
    const first = t.cache.get(CREDS);
    await t.settle();
    await first;
    t.advance(239_999); // refreshAt = 300 s - min(60 s, 300 s / 5) = 240 s
    expect((await t.cache.get(CREDS)).value).toBe("t1");
    t.advance(1);
    const second = t.cache.get(CREDS);
    await t.settle();
    expect((await second).value).toBe("t2");
  });

  it("a refused token is dropped only while it is still the current one", async () => {
    const t = setup();
    const first = t.cache.get(CREDS);
    await t.settle();
    const old = await first;
    t.cache.invalidate(CREDS, old);
    const fresh = t.cache.get(CREDS);
    await t.settle();
    expect((await fresh).value).toBe("t2");
    t.cache.invalidate(CREDS, old); // a late 401 carrying the old token
    expect((await t.cache.get(CREDS)).value).toBe("t2");
    expect(t.logins()).toBe(2);
  });

  it("a failed login fails every waiter once; the next call tries again", async () => {
    const t = setup();
    t.failOnce();
    const waiting = Promise.allSettled([t.cache.get(CREDS), t.cache.get(CREDS)]);
    await t.settle();
    expect((await waiting).map((r) => r.status)).toEqual(["rejected", "rejected"]);
    const retry = t.cache.get(CREDS);
    await t.settle();
    expect((await retry).value).toBe("t2");
  });

  it("a rotated password logs in afresh", async () => {
    const t = setup();
    const a = t.cache.get(CREDS);
    await t.settle();
    await a;
    const b = t.cache.get({ ...CREDS, password: "p2" });
    await t.settle();
    expect((await b).value).toBe("t2");
  });
});

describe("refreshTime", () => {
  it("refreshes a margin before expiry, at most a fifth of the lifetime early", () => {
    expect(refreshTime(0, 1200, 60_000)).toBe(1_140_000);
    expect(refreshTime(0, 10, 60_000)).toBe(8_000);
  });
});
