import { describe, expect, it } from "vitest";
import { claimLink, claimLinkSection, LOCAL_CLAIM_LINK_BASE_URL } from "./claim-link.ts";
import { ConfigError } from "./config-error.ts";
import { type Env, loadConfig } from "./load-config.ts";

function refusal(env: Env): string {
  try {
    loadConfig(claimLinkSection, env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).message;
  }
  throw new Error("expected a ConfigError");
}

describe("claimLinkSection", () => {
  it("defaults to the local claims page outside deployments", () => {
    expect(LOCAL_CLAIM_LINK_BASE_URL).toBe("http://127.0.0.1:31141/v1/api/claims/");
    expect(loadConfig(claimLinkSection, {})).toEqual({ baseUrl: LOCAL_CLAIM_LINK_BASE_URL });
    expect(loadConfig(claimLinkSection, { CLAIMS_LINK_BASE_URL: "http://10.0.0.5:8080/c/" })).toEqual({
      baseUrl: "http://10.0.0.5:8080/c/",
    });
  });

  it("refuses a link the token cannot be appended to, or that is no http(s) URL", () => {
    expect(refusal({ CLAIMS_LINK_BASE_URL: "https://hoadon.example.vn/c" })).toContain('end with "/"');
    expect(refusal({ CLAIMS_LINK_BASE_URL: "ftp://hoadon.example.vn/c/" })).toContain("CLAIMS_LINK_BASE_URL");
  });

  it("requires the buyer-facing https link in staging and production", () => {
    for (const env of [{ APP_ENV: "production" }, { NODE_ENV: "production" }, { APP_ENV: "staging" }]) {
      expect(refusal(env)).toContain("CLAIMS_LINK_BASE_URL");
      expect(refusal({ ...env, CLAIMS_LINK_BASE_URL: "http://hoadon.example.vn/c/" })).toContain("https://");
    }
    expect(
      loadConfig(claimLinkSection, {
        APP_ENV: "production",
        CLAIMS_LINK_BASE_URL: "https://hoadon.example.vn/c/",
      }),
    ).toEqual({ baseUrl: "https://hoadon.example.vn/c/" });
  });

  it("appends the token to make a claim's link", () => {
    expect(claimLink("https://hoadon.example.vn/c/", "5b0e4d1c-1f0a-4c49-9d53-0c7a7e1b3c11")).toBe(
      "https://hoadon.example.vn/c/5b0e4d1c-1f0a-4c49-9d53-0c7a7e1b3c11",
    );
  });
});
