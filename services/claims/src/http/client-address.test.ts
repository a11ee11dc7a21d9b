import { describe, expect, it } from "vitest";
import { clientAddress } from "./client-address.ts";

describe("clientAddress", () => {
  it("uses the peer and ignores X-Forwarded-For without trusted proxies", () => {
    expect(clientAddress("203.0.113.7", "198.51.100.1", 0)).toBe("203.0.113.7");
  });

  it("takes the entry the trusted proxies vouch for, never one the client wrote further left", () => {
    // client spoofs 1.1.1.1; the proxy (peer 10.0.0.2) appended the real client 198.51.100.9
    expect(clientAddress("10.0.0.2", "1.1.1.1, 198.51.100.9", 1)).toBe("198.51.100.9");
    expect(clientAddress("10.0.0.3", ["1.1.1.1, 198.51.100.9", "10.0.0.2"], 2)).toBe("198.51.100.9");
  });

  it("falls back to the leftmost entry when fewer proxies than configured were seen", () => {
    expect(clientAddress("10.0.0.2", undefined, 2)).toBe("10.0.0.2");
    expect(clientAddress("10.0.0.2", "198.51.100.9", 3)).toBe("198.51.100.9");
  });

  it("folds IPv4-mapped IPv6 addresses", () => {
    expect(clientAddress("::ffff:203.0.113.7", undefined, 0)).toBe("203.0.113.7");
    expect(clientAddress(undefined, undefined, 0)).toBe("unknown");
  });
});
