import { randomBytes } from "node:crypto";
import { isRetriable } from "@invoice/errors";
import { describe, expect, it } from "vitest";
import { DecryptionError, encrypt } from "./aes-gcm.ts";
import { createKeyring } from "./keyring.ts";
import {
  MalformedProviderCredentialError,
  openProviderCredential,
  providerCredentialAad,
  sealProviderCredential,
} from "./provider-credential.ts";

const keyring = createKeyring(randomBytes(32));
const ACCOUNT = { username: "0100109106-509", password: "mật-khẩu-ünicode" };

/** The sealed secret as the table's bytea columns. */
const columns = (sealed: ReturnType<typeof sealProviderCredential>) => ({
  keyId: sealed.keyId,
  iv: Buffer.from(sealed.iv, "base64"),
  tag: Buffer.from(sealed.tag, "base64"),
  ciphertext: Buffer.from(sealed.ciphertext, "base64"),
});

function failure(action: () => unknown): Error {
  try {
    action();
  } catch (error) {
    expect(isRetriable(error)).toBe(false);
    expect(String((error as Error).message)).not.toContain(ACCOUNT.password);
    return error as Error;
  }
  throw new Error("expected a failure");
}

describe("provider credentials", () => {
  it("seal for a merchant and open for the same merchant", () => {
    const row = columns(sealProviderCredential(ACCOUNT, keyring, "M-1"));
    expect(row.keyId).toBe(keyring.activeKeyId);
    expect(row.ciphertext.toString("utf8")).not.toContain(ACCOUNT.password);
    expect(openProviderCredential(row, keyring, "M-1")).toEqual(ACCOUNT);
  });

  it("a row opened for another merchant fails authentication (the AAD binds it)", () => {
    const row = columns(sealProviderCredential(ACCOUNT, keyring, "M-1"));
    const error = failure(() => openProviderCredential(row, keyring, "M-2"));
    expect(error).toBeInstanceOf(DecryptionError);
    expect((error as DecryptionError).code).toBe("AUTHENTICATION_FAILED");
  });

  it("a row sealed under a key the keyring does not hold is UNKNOWN_KEY_ID", () => {
    const other = createKeyring(randomBytes(32));
    const row = columns(sealProviderCredential(ACCOUNT, other, "M-1"));
    expect((failure(() => openProviderCredential(row, keyring, "M-1")) as DecryptionError).code).toBe(
      "UNKNOWN_KEY_ID",
    );
  });

  it.each([
    ["not JSON", "username=u"],
    ["no password", JSON.stringify({ username: "u" })],
    ["empty username", JSON.stringify({ username: "", password: "p" })],
  ])("a decrypted value that is not an account (%s) is MALFORMED_PROVIDER_CREDENTIAL", (_name, text) => {
    const row = columns(encrypt(text, keyring, { aad: providerCredentialAad("M-1") }));
    expect(failure(() => openProviderCredential(row, keyring, "M-1"))).toBeInstanceOf(
      MalformedProviderCredentialError,
    );
  });
});
