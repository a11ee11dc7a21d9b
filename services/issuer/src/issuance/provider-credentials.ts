/**
 * The provider account an invoice is issued under: the merchant's own credential from the
 * ProviderCredential table (stored sealed by the merchant API, opened with the keyring), else —
 * outside production only — the issuer's configured development account. In production a merchant
 * without a usable credential cannot be invoiced: the send reports `rejected` with a reason code and
 * the invoice FAILS with it (a replay after the merchant stores one resumes it), never a crash and
 * never another merchant's account.
 *
 * Decrypted accounts are cached per merchant and provider for a bounded time (`ttlMs`), so a busy
 * merchant costs one query per TTL and a rotated password is picked up within it; a refused login
 * drops the entry at once. Loads are single-flight per merchant. The cache holds plaintext passwords
 * in memory (the adapter needs them to log in anyway) and never logs them. Access tokens are cached
 * per account by the adapter (TokenCache, keyed by username and a hash of the password).
 */
import { DecryptionError, type Keyring, openProviderCredential } from "@invoice/crypto";
import type { PrismaClient } from "@invoice/db";
import { isRetriable } from "@invoice/errors";
import type { ProviderCredentials } from "@invoice/provider";

/** Why a merchant's send cannot be made with its own account (a stable reason code). */
export type CredentialProblemCode =
  /** No credential stored for the merchant and provider, and no fallback (production). */
  | "PROVIDER_CREDENTIAL_MISSING"
  /** Stored, but it does not open: unknown key id (a retired key dropped too early), tampered, malformed. */
  | "PROVIDER_CREDENTIAL_UNREADABLE"
  /** The table could not be read (an outage): retriable, nothing was sent. */
  | "PROVIDER_CREDENTIAL_UNAVAILABLE";

export type CredentialLookup =
  | { ok: true; credentials: ProviderCredentials; source: "merchant" | "fallback" }
  | { ok: false; code: CredentialProblemCode; message: string; retriable: boolean };

export interface CredentialSource {
  /** The account for `merchantId`'s invoices at `provider`. Never throws. */
  forMerchant(merchantId: string, provider: string): Promise<CredentialLookup>;
  /** The provider refused the account: read it again on the next send (it may have just changed). */
  invalidate(merchantId: string, provider: string): void;
}

type CredentialDb = Pick<PrismaClient, "providerCredential">;

export interface CredentialSourceOptions {
  db: CredentialDb;
  keyring: Keyring;
  /** The account for merchants without a stored credential; undefined in production (none). */
  fallback: ProviderCredentials | undefined;
  /** How long a looked-up answer (account, missing, unreadable) is reused. */
  ttlMs: number;
  /** Merchants cached at most; the least recently used is dropped first. */
  maxEntries: number;
  now?: () => number;
}

interface Entry {
  answer: CredentialLookup;
  expiresAt: number;
}

const keyOf = (merchantId: string, provider: string) => `${merchantId}\u0000${provider}`;

export function createCredentialSource(options: CredentialSourceOptions): CredentialSource {
  const now = options.now ?? Date.now;
  const cache = new Map<string, Entry>();
  const loading = new Map<string, Promise<CredentialLookup>>();

  async function load(merchantId: string, provider: string): Promise<CredentialLookup> {
    let row: Awaited<ReturnType<CredentialDb["providerCredential"]["findFirst"]>>;
    try {
      row = await options.db.providerCredential.findFirst({
        where: { merchantId, provider, deletedAt: null },
        orderBy: { updatedAt: "desc" },
      });
    } catch (error) {
      return {
        ok: false,
        code: "PROVIDER_CREDENTIAL_UNAVAILABLE",
        message: `provider credentials could not be read: ${error instanceof Error ? error.message.slice(0, 200) : String(error)}`,
        retriable: true,
      };
    }
    if (!row) {
      if (options.fallback) return { ok: true, credentials: options.fallback, source: "fallback" };
      return {
        ok: false,
        code: "PROVIDER_CREDENTIAL_MISSING",
        message: `merchant ${merchantId} has no ${provider} credential stored (merchant API: PUT /merchants/{id}/provider-credentials)`,
        retriable: false,
      };
    }
    try {
      const account = openProviderCredential(row, options.keyring, merchantId);
      return { ok: true, credentials: account, source: "merchant" };
    } catch (error) {
      const why = error instanceof DecryptionError ? error.code : "MALFORMED_PROVIDER_CREDENTIAL";
      return {
        ok: false,
        code: "PROVIDER_CREDENTIAL_UNREADABLE",
        message: `the ${provider} credential of merchant ${merchantId} (key id ${row.keyId}) does not open: ${why}`,
        retriable: isRetriable(error),
      };
    }
  }

  function remember(key: string, answer: CredentialLookup): void {
    if (!answer.ok && answer.retriable) return; // an outage: ask the table again next time
    cache.delete(key);
    cache.set(key, { answer, expiresAt: now() + options.ttlMs });
    while (cache.size > options.maxEntries) {
      const oldest = cache.keys().next().value as string;
      cache.delete(oldest);
    }
  }

  return {
    forMerchant(merchantId, provider) {
      const key = keyOf(merchantId, provider);
      const cached = cache.get(key);
      if (cached && now() < cached.expiresAt) {
        // Most recently used last: the eviction above drops the coldest merchant.
        cache.delete(key);
        cache.set(key, cached);
        return Promise.resolve(cached.answer);
      }
      if (cached) cache.delete(key);
      const inFlight = loading.get(key);
      if (inFlight) return inFlight;
      const pending: Promise<CredentialLookup> = load(merchantId, provider).then((answer) => {
        // Not remembered when invalidated meanwhile: the load may have read the refused account.
        if (loading.get(key) === pending) {
          loading.delete(key);
          remember(key, answer);
        }
        return answer;
      });
      loading.set(key, pending);
      return pending;
    },
    invalidate(merchantId, provider) {
      const key = keyOf(merchantId, provider);
      cache.delete(key);
      loading.delete(key);
    },
  };
}
