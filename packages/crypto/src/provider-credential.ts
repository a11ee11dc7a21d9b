// Provider credentials as the ProviderCredential table stores them: the account as JSON
// `{"username","password"}`, sealed with AES-256-GCM under the keyring's active key and bound to its
// merchant by the AAD. The merchant API seals them, the issuer opens them: one format, kept here.
import { PlatformError } from "@invoice/errors";
import { decryptToString, encrypt, type SealedSecret } from "./aes-gcm.ts";
import type { Keyring } from "./keyring.ts";

/** A provider login (SInvoice username and password). Never logged. */
export interface ProviderAccount {
  username: string;
  password: string;
}

/** The sealed columns of a ProviderCredential row (binary, as PostgreSQL `bytea` gives them). */
export interface ProviderCredentialColumns {
  ciphertext: Uint8Array;
  iv: Uint8Array;
  tag: Uint8Array;
  keyId: string;
}

/** A stored credential that decrypted but is not an account: a row written by something else. */
export class MalformedProviderCredentialError extends PlatformError {
  override readonly name = "MalformedProviderCredentialError";
  declare readonly code: "MALFORMED_PROVIDER_CREDENTIAL";

  constructor(message: string) {
    super("MALFORMED_PROVIDER_CREDENTIAL", message, { retriable: false });
  }
}

/**
 * The AAD that binds a stored provider credential to its merchant: a row copied onto another
 * merchant, or read for the wrong one, fails authentication instead of decrypting.
 */
export function providerCredentialAad(merchantId: string): string {
  return `provider-credential:${merchantId}`;
}

/** The JSON that is sealed (also what a credential's fingerprint is computed over). */
export function providerCredentialPlaintext(account: ProviderAccount): string {
  return JSON.stringify({ username: account.username, password: account.password });
}

/** Seals an account for `merchantId` with the keyring's active key (base64 fields, key id). */
export function sealProviderCredential(
  account: ProviderAccount,
  keyring: Keyring,
  merchantId: string,
): SealedSecret {
  return encrypt(providerCredentialPlaintext(account), keyring, { aad: providerCredentialAad(merchantId) });
}

/**
 * Opens a stored credential of `merchantId`. Throws DecryptionError (unknown key id, tampered row,
 * another merchant's row) or MalformedProviderCredentialError; neither is retriable, and neither
 * message contains the secret.
 */
export function openProviderCredential(
  row: ProviderCredentialColumns,
  keyring: Keyring,
  merchantId: string,
): ProviderAccount {
  const sealed: SealedSecret = {
    keyId: row.keyId,
    iv: Buffer.from(row.iv).toString("base64"),
    tag: Buffer.from(row.tag).toString("base64"),
    ciphertext: Buffer.from(row.ciphertext).toString("base64"),
  };
  const text = decryptToString(sealed, keyring, { aad: providerCredentialAad(merchantId) });
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new MalformedProviderCredentialError("the stored provider credential is not JSON");
  }
  const { username, password } = (value ?? {}) as Record<string, unknown>;
  if (typeof username !== "string" || username === "" || typeof password !== "string" || password === "") {
    throw new MalformedProviderCredentialError("the stored provider credential has no username and password");
  }
  return { username, password };
}
