import {
  createKeyring,
  InvalidCredentialsKeyError,
  type Keyring,
  parseCredentialsKey,
} from "@invoice/crypto";
import { z } from "zod";
import { commaList, envField, type ParseResult } from "./fields.ts";

/** A 64-hex-character AES-256 key, validated by @invoice/crypto (the rules live next to the cipher). */
export const credentialsKey = () =>
  envField((raw): ParseResult<Buffer> => {
    try {
      return { ok: true, value: parseCredentialsKey(raw) };
    } catch (error) {
      if (error instanceof InvalidCredentialsKeyError) return { ok: false, reason: error.message };
      throw error;
    }
  });

export interface CredentialsConfig {
  keyring: Keyring;
}

/**
 * Provider credentials encryption. No default: a key in code is no secret (DESIGN.md section 7), so a
 * service that includes this section refuses to start without one, in every environment.
 */
export const credentialsSection = z
  .object({
    /** Active key: encrypts new records and decrypts its own. */
    APP_ENV_INVOICE_CREDENTIALS_KEY: credentialsKey(),
    /** Previous keys, comma-separated, kept for decryption until every record is re-encrypted. */
    APP_ENV_INVOICE_CREDENTIALS_RETIRED_KEYS: commaList(credentialsKey()).optional(),
  })
  .transform(
    (env): CredentialsConfig => ({
      keyring: createKeyring(
        env.APP_ENV_INVOICE_CREDENTIALS_KEY,
        env.APP_ENV_INVOICE_CREDENTIALS_RETIRED_KEYS,
      ),
    }),
  );
