import { describe, expect, it } from "vitest";
import { checkTarget, isPublicAddress, parseTargetUrl } from "./safe-target.ts";

describe("SSRF rule", () => {
  it.each([
    "127.0.0.1",
    "10.1.2.3",
    "172.16.0.1",
    "192.168.1.1",
    "169.254.169.254",
    "100.64.0.1",
    "0.0.0.0",
    "224.0.0.1",
    "::1",
    "fc00::1",
    "fe80::1",
    "::ffff:127.0.0.1",
    "::ffff:10.0.0.1",
    "not-an-ip",
  ])("%s is not public", (address) => {
    expect(isPublicAddress(address)).toBe(false);
  });

  it.each(["93.184.216.34", "8.8.8.8", "2606:4700::1111"])("%s is public", (address) => {
    expect(isPublicAddress(address)).toBe(true);
  });

  it.each([
    ["https://127.0.0.1/hook", "address_not_allowed"],
    ["https://0x7f000001/hook", "address_not_allowed"],
    ["https://2130706433/hook", "address_not_allowed"],
    ["https://[::ffff:127.0.0.1]/hook", "address_not_allowed"],
    ["https://169.254.169.254/latest/meta-data", "address_not_allowed"],
    ["https://localhost/hook", "address_not_allowed"],
    ["http://93.184.216.34/hook", "scheme_not_allowed"],
    ["ftp://93.184.216.34/hook", "scheme_not_allowed"],
    ["https://user:pw@93.184.216.34/hook", "credentials_in_url"],
    ["not a url", "invalid_url"],
    ["https://does-not-exist.invalid/hook", "unresolvable"],
  ])("refuses %s (%s)", async (url, reason) => {
    await expect(checkTarget(url, false)).rejects.toMatchObject({ code: "WEBHOOK_TARGET_REFUSED", reason });
  });

  it("accepts a public https target, and anything http(s) when configured for local use", async () => {
    await expect(checkTarget("https://93.184.216.34/hook", false)).resolves.toBeInstanceOf(URL);
    await expect(checkTarget("http://127.0.0.1:8080/hook", true)).resolves.toBeInstanceOf(URL);
    expect(() => parseTargetUrl("ftp://127.0.0.1/", true)).toThrow(/http or https/);
  });
});
