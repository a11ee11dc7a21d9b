/** Rate limits per token, per client address and per unknown-token budget, in Redis; 429 + Retry-After. */
import { randomUUID } from "node:crypto";
import { startPrivateRedis, uniqueName } from "@invoice/testing";
import type { Redis } from "ioredis";
import { afterAll, describe, expect, it } from "vitest";
import { openClaim, type RunningClaims, startClaimsApi, useClaimsStack } from "./support/claims-stack.ts";

const env = useClaimsStack("claims_limits");
const running: RunningClaims[] = [];

afterAll(async () => {
  await Promise.all(running.map((api) => api.close()));
});

async function apiWith(limits: Record<string, string>, redis?: Redis) {
  const api = await startClaimsApi(env.stack, {
    env: {
      CLAIMS_RATE_LIMIT_PER_ADDRESS: "1000",
      CLAIMS_RATE_LIMIT_PER_TOKEN: "1000",
      CLAIMS_RATE_LIMIT_NOT_FOUND_PER_ADDRESS: "1000",
      CLAIMS_RATE_LIMIT_SUBMISSIONS_PER_TOKEN: "1000",
      // Each app counts in keys of its own, so the tests do not share counters.
      CLAIMS_REDIS_KEY_PREFIX: `${env.stack.redisPrefix}${uniqueName("app")}:`,
      ...limits,
    },
    ...(redis ? { redis } : {}),
  });
  running.push(api);
  return api;
}

const get = (api: RunningClaims, token: string, headers: Record<string, string> = {}) =>
  fetch(`${api.url}/v1/api/claims/${token}`, { headers: { accept: "application/json", ...headers } });

async function expectRateLimited(response: Response, limit: string) {
  expect(response.status).toBe(429);
  const retryAfter = Number(response.headers.get("retry-after"));
  expect(retryAfter).toBeGreaterThanOrEqual(1);
  expect(retryAfter).toBeLessThanOrEqual(60);
  expect(await response.json()).toMatchObject({ code: "RATE_LIMITED", status: 429 });
  return limit;
}

describe("claim rate limits", () => {
  it("limits requests per token, whoever sends them", async () => {
    const api = await apiWith({ CLAIMS_RATE_LIMIT_PER_TOKEN: "3", CLAIMS_TRUSTED_PROXY_HOPS: "1" });
    const claim = await openClaim(env.stack.prisma);
    const other = await openClaim(env.stack.prisma);
    for (const address of ["198.51.100.1", "198.51.100.2", "198.51.100.3"]) {
      expect((await get(api, claim.token, { "x-forwarded-for": address })).status).toBe(200);
    }
    await expectRateLimited(await get(api, claim.token, { "x-forwarded-for": "198.51.100.4" }), "token");
    expect((await get(api, other.token)).status).toBe(200);
    expect(await api.registry.metrics()).toContain(
      'invoice_claim_requests_rate_limited_total{limit="token",service="claims"} 1',
    );
  });

  it("limits submissions per token separately from page views", async () => {
    const api = await apiWith({ CLAIMS_RATE_LIMIT_SUBMISSIONS_PER_TOKEN: "2" });
    const claim = await openClaim(env.stack.prisma);
    const submit = () =>
      fetch(`${api.url}/v1/api/claims/${claim.token}`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ buyerType: "company", taxCode: "bad" }),
      });
    expect((await submit()).status).toBe(400);
    expect((await submit()).status).toBe(400);
    await expectRateLimited(await submit(), "submissions");
    expect((await get(api, claim.token)).status).toBe(200);
  });

  it("limits requests per client address, as the trusted proxy reports it", async () => {
    const api = await apiWith({ CLAIMS_RATE_LIMIT_PER_ADDRESS: "4", CLAIMS_TRUSTED_PROXY_HOPS: "1" });
    const claim = await openClaim(env.stack.prisma);
    const from = (address: string) => ({ "x-forwarded-for": `10.9.9.9, ${address}` });
    for (let i = 0; i < 4; i++) expect((await get(api, claim.token, from("203.0.113.5"))).status).toBe(200);
    await expectRateLimited(await get(api, claim.token, from("203.0.113.5")), "address");
    // The spoofable left part of the header does not make a new client.
    await expectRateLimited(
      await get(api, claim.token, { "x-forwarded-for": "1.2.3.4, 203.0.113.5" }),
      "address",
    );
    expect((await get(api, claim.token, from("203.0.113.6"))).status).toBe(200);
  });

  it("shuts out an address that keeps guessing tokens, valid ones included", async () => {
    const api = await apiWith({ CLAIMS_RATE_LIMIT_NOT_FOUND_PER_ADDRESS: "3" });
    const claim = await openClaim(env.stack.prisma);
    for (const token of [randomUUID(), "guess", randomUUID()])
      expect((await get(api, token)).status).toBe(404);
    await expectRateLimited(await get(api, claim.token), "not_found");
    await expectRateLimited(await get(api, randomUUID()), "not_found");
  });

  it("keeps limiting, from memory, while Redis is down", async () => {
    const redis = await startPrivateRedis();
    try {
      const api = await apiWith({ CLAIMS_RATE_LIMIT_PER_TOKEN: "2" }, redis.client());
      const claim = await openClaim(env.stack.prisma);
      await redis.kill();
      expect((await get(api, claim.token)).status).toBe(200);
      expect((await get(api, claim.token)).status).toBe(200);
      await expectRateLimited(await get(api, claim.token), "token");
    } finally {
      await redis.stop();
    }
  });
});
