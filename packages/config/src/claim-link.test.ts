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

  it("refuses a link whose token would land outside the path, or that would print credentials", () => {
    // Each is accepted by the URL parser and ends with "/", yet the appended token would be in the
    // query or the fragment (the claims page never sees it: every buyer gets 404), or the receipt
    // would carry a password.
    for (const value of [
      "https://hoadon.example.vn/c/?src=receipt&x=/",
      "https://hoadon.example.vn/c/#/",
      "https://hoadon.example.vn/c/?",
    ]) {
      expect(refusal({ CLAIMS_LINK_BASE_URL: value }), value).toContain("CLAIMS_LINK_BASE_URL");
    }
    const withCredentials = refusal({ CLAIMS_LINK_BASE_URL: "https://ops:s3cr3t@hoadon.example.vn/c/" });
    expect(withCredentials).toContain("CLAIMS_LINK_BASE_URL");
    expect(withCredentials).not.toContain("s3cr3t");
  });

  it("hands out the URL's standard ASCII form, the one every client parses alike", () => {
    const baseUrl = (value: string, env: Env = {}) =>
      loadConfig(claimLinkSection, { ...env, CLAIMS_LINK_BASE_URL: value }).baseUrl;
    // A Unicode host (Java's URI then has no host at all) and path: punycode and percent-encoding.
    expect(baseUrl("https://hóađơn.vn/c/")).toBe("https://xn--han-gna5mo8a.vn/c/");
    expect(baseUrl("https://hoadon.example.vn/hóa-đơn/")).toBe(
      "https://hoadon.example.vn/h%C3%B3a-%C4%91%C6%A1n/",
    );
    // One slash after the scheme: browsers repair it, other clients read a link without a host.
    expect(baseUrl("https:/hoadon.example.vn/c/")).toBe("https://hoadon.example.vn/c/");
    // An upper-case scheme is still https (it was refused in production), the default port goes.
    expect(baseUrl("HTTPS://HOADON.EXAMPLE.VN:443/c/", { APP_ENV: "production" })).toBe(
      "https://hoadon.example.vn/c/",
    );
  });

  it("requires the buyer-facing https link in staging and production", () => {
    for (const env of [{ APP_ENV: "production" }, { NODE_ENV: "production" }, { APP_ENV: "staging" }]) {
      expect(refusal(env)).toContain("CLAIMS_LINK_BASE_URL");
      expect(refusal({ ...env, CLAIMS_LINK_BASE_URL: "http://hoadon.example.vn/c/" })).toContain("https://");
    }
    // A link to the machine itself leads a buyer's phone nowhere, https or not.
    for (const host of ["localhost", "127.0.0.1:8443", "[::1]", "app.localhost"]) {
      const link = `https://${host}/v1/api/claims/`;
      expect(refusal({ APP_ENV: "production", CLAIMS_LINK_BASE_URL: link }), link).toContain(
        "CLAIMS_LINK_BASE_URL",
      );
      expect(loadConfig(claimLinkSection, { CLAIMS_LINK_BASE_URL: link }).baseUrl).toBe(link);
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
