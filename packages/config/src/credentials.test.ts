import { randomBytes } from "node:crypto";
import { credentialsKeyId, decryptToString, encrypt } from "@invoice/crypto";
import { describe, expect, it } from "vitest";
import { ConfigError } from "./config-error.ts";
import { credentialsSection } from "./credentials.ts";
import { loadConfig } from "./load-config.ts";

const ACTIVE = randomBytes(32).toString("hex");
const RETIRED = randomBytes(32).toString("hex");

function issues(env: Record<string, string>) {
  try {
    loadConfig(credentialsSection, env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).message).not.toContain(ACTIVE);
    expect((error as ConfigError).message).not.toContain(ACTIVE.slice(0, 40));
    return (error as ConfigError).issues;
  }
  throw new Error("expected a ConfigError");
}

describe("credentialsSection", () => {
  it("builds a keyring from the active key and optional retired keys", () => {
    const { keyring } = loadConfig(credentialsSection, {
      APP_ENV_INVOICE_CREDENTIALS_KEY: ACTIVE,
      APP_ENV_INVOICE_CREDENTIALS_RETIRED_KEYS: ` ${RETIRED} `,
    });
    expect(keyring.activeKeyId).toBe(credentialsKeyId(Buffer.from(ACTIVE, "hex")));
    expect(keyring.keys.size).toBe(2);
    const aad = { aad: "provider-credential:merchant-1" };
    expect(decryptToString(encrypt("provider-password", keyring, aad), keyring, aad)).toBe(
      "provider-password",
    );
  });

  it("is required in every environment (no key in code)", () => {
    expect(issues({})).toEqual([
      { variable: "APP_ENV_INVOICE_CREDENTIALS_KEY", reason: "is required but not set" },
    ]);
  });

  it.each([
    ["63 characters", ACTIVE.slice(1), /exactly 64 hexadecimal characters .*got 63/],
    ["65 characters", `${ACTIVE}0`, /exactly 64 hexadecimal characters .*got 65/],
    ["base64", Buffer.from(ACTIVE, "hex").toString("base64"), /exactly 64 hexadecimal characters/],
    ["non-hex", `${ACTIVE.slice(0, 60)}zzzz`, /only hexadecimal characters/],
    ["placeholder", "0".repeat(64), /placeholder/],
  ])("refuses a key of %s without echoing it", (_name, key, reason) => {
    const found = issues({ APP_ENV_INVOICE_CREDENTIALS_KEY: key });
    expect(found).toHaveLength(1);
    expect(found[0]?.variable).toBe("APP_ENV_INVOICE_CREDENTIALS_KEY");
    expect(found[0]?.reason).toMatch(reason);
    expect(found[0]?.reason).not.toContain(key);
  });

  it("refuses a bad retired key, naming its position", () => {
    const found = issues({
      APP_ENV_INVOICE_CREDENTIALS_KEY: ACTIVE,
      APP_ENV_INVOICE_CREDENTIALS_RETIRED_KEYS: `${RETIRED},abc`,
    });
    expect(found).toEqual([
      {
        variable: "APP_ENV_INVOICE_CREDENTIALS_RETIRED_KEYS",
        reason:
          "item 2: credentials key must be exactly 64 hexadecimal characters (32 bytes), got 3 characters",
      },
    ]);
  });
});
