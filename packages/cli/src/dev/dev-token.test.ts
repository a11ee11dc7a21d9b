import { execFile } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { createLocalJWKSet, decodeProtectedHeader, jwtVerify } from "jose";
import { describe, expect, it } from "vitest";
import { DEV_AUDIENCE, DEV_ISSUER, loadOrCreateDevKeys } from "./dev-keys.ts";
import { parseTtl, signDevToken } from "./dev-token.ts";

const CLI = fileURLToPath(new URL("../invoice.cli.ts", import.meta.url));

function run(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, ["--import", "tsx", CLI, ...args], (error, stdout, stderr) =>
      resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    );
  });
}

describe("invoice dev token", () => {
  it("makes the key pair once per directory and reuses it", async () => {
    const dir = mkdtempSync(join(tmpdir(), "devjwt-"));
    const first = await loadOrCreateDevKeys(dir);
    const second = await loadOrCreateDevKeys(dir);
    expect(second.kid).toBe(first.kid);
    expect(first.publicJwk).not.toHaveProperty("d");
  });

  it("signs an ES256 token the dev JWKS verifies, with merchants, permissions and the TTL", async () => {
    const keys = await loadOrCreateDevKeys(mkdtempSync(join(tmpdir(), "devjwt-")));
    const now = Date.now();
    const token = await signDevToken(
      keys,
      { merchants: ["M-1", "M-2"], permissions: ["invoices:read"], ttlSeconds: 3_600 },
      now,
    );
    const { payload, protectedHeader } = await jwtVerify(
      token,
      createLocalJWKSet({ keys: [keys.publicJwk] }),
      {
        algorithms: ["ES256"],
        issuer: DEV_ISSUER,
        audience: DEV_AUDIENCE,
      },
    );
    expect(protectedHeader).toMatchObject({ alg: "ES256", kid: keys.kid });
    expect(payload).toMatchObject({
      merchant_ids: ["M-1", "M-2"],
      permissions: ["invoices:read"],
      sub: "dev-user",
    });
    expect((payload.exp ?? 0) - (payload.iat ?? 0)).toBe(3_600);
  });

  it.each([
    ["90s", 90],
    ["30m", 1_800],
    ["1h", 3_600],
    ["2d", 172_800],
    ["45", 45],
  ])("parses --ttl %s", (text, seconds) => {
    expect(parseTtl(text)).toBe(seconds);
  });

  it.each(["", "1w", "-5m", "0", "31d"])("refuses --ttl %s", (text) => {
    expect(() => parseTtl(text)).toThrow(/--ttl/);
  });

  it("runs as `invoice dev token --merchant ... --permissions ... --ttl ...`", async () => {
    const dir = mkdtempSync(join(tmpdir(), "devjwt-"));
    const result = await run([
      "dev",
      "token",
      "--merchant",
      "M-9",
      "--permissions",
      "invoices:read,webhooks:write",
      "--ttl",
      "5m",
      "--key-dir",
      dir,
    ]);
    expect(result.code).toBe(0);
    const token = result.stdout.trim();
    expect(decodeProtectedHeader(token).kid).toBe((await loadOrCreateDevKeys(dir)).kid);
    const missing = await run(["dev", "token", "--permissions", "x", "--key-dir", dir]);
    expect(missing.code).not.toBe(0);
    expect(missing.stderr).toContain("--merchant");
  }, 30_000);

  it("refuses a bad --ttl or an empty --merchant with a one-line error and exit 2 (usage, packages/cli README), no stack trace", async () => {
    const dir = mkdtempSync(join(tmpdir(), "devjwt-"));
    const cases = [
      { args: ["--merchant", "M-1", "--permissions", "invoices:read", "--ttl", "-1h"], says: "--ttl" },
      { args: ["--merchant", "M-1", "--permissions", "invoices:read", "--ttl", "100d"], says: "--ttl" },
      // ingest refuses a token whose merchant_ids is empty: printing one would only fail later.
      { args: ["--merchant", "", "--permissions", "invoices:read"], says: "--merchant" },
      { args: ["--merchant", " , ", "--permissions", "invoices:read"], says: "--merchant" },
    ];
    for (const { args, says } of cases) {
      const result = await run(["dev", "token", ...args, "--key-dir", dir]);
      expect({ args, code: result.code, stdout: result.stdout }).toEqual({ args, code: 2, stdout: "" });
      expect(result.stderr).toContain(says);
      expect(result.stderr).not.toMatch(/\n\s+at /);
    }
  }, 60_000);
});
