import { describe, expect, it } from "vitest";
import { maskClaimTokens, parseClaimToken, tokenKey } from "./claim-token.ts";

const TOKEN = "3f0c6a52-8d2e-4b7a-9c41-5e6f7a8b9c0d";

describe("parseClaimToken", () => {
  it.each([
    [TOKEN, TOKEN],
    [TOKEN.toUpperCase(), TOKEN],
  ])("accepts %s", (raw, expected) => {
    expect(parseClaimToken(raw)).toBe(expected);
  });

  it.each([
    ["empty", ""],
    ["short", TOKEN.slice(0, 35)],
    ["long", `${TOKEN}0`],
    ["no dashes", TOKEN.replaceAll("-", "").padEnd(36, "0")],
    ["non-hex", TOKEN.replace("3", "g")],
    ["sql", "' OR 1=1 --------------------------"],
    ["number", 42],
    ["undefined", undefined],
  ])("refuses %s", (_name, raw) => {
    expect(parseClaimToken(raw)).toBeUndefined();
  });
});

describe("tokenKey", () => {
  it("is stable, short, and does not contain the token", () => {
    expect(tokenKey(TOKEN)).toBe(tokenKey(TOKEN));
    expect(tokenKey(TOKEN)).not.toBe(tokenKey(TOKEN.replace("3", "4")));
    expect(tokenKey(TOKEN)).toHaveLength(32);
    expect(tokenKey(TOKEN)).not.toContain(TOKEN.slice(0, 8));
  });
});

describe("maskClaimTokens", () => {
  it.each([
    [`/v1/api/claims/${TOKEN}`, "/v1/api/claims/{token}"],
    [`/v1/api/claims/${TOKEN}/qr.svg`, "/v1/api/claims/{token}/qr.svg"],
    ["/v1/api/claims/not-a-token/qr.png", "/v1/api/claims/{token}/qr.png"],
    ["/v1/api/administrative-units/01/communes", "/v1/api/administrative-units/01/communes"],
    ["/health", "/health"],
  ])("%s -> %s", (path, masked) => {
    expect(maskClaimTokens(path)).toBe(masked);
  });
});
