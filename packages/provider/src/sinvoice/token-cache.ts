import { createHash } from "node:crypto";
import type { ProviderCredentials } from "../port.ts";

export interface AccessToken {
  value: string;
  /** Epoch ms after which the provider refuses it. */
  expiresAtMs: number;
  /** Epoch ms from which the cache logs in again rather than use it (see {@link refreshTime}). */
  refreshAtMs: number;
}

/** Logs in once; rejects with a ProviderError (the caller's classification). */
export type Login = (credentials: ProviderCredentials) => Promise<AccessToken>;

interface Entry {
  token?: AccessToken;
  /** The login in flight: every caller waiting for a token shares it (single flight). */
  pending?: Promise<AccessToken>;
}

/**
 * Access tokens per provider account, refreshed before they expire and after a refusal.
 *
 * Single flight: 200 concurrent sends of one account with no valid token cause one login, not 200
 * (a provider that rate-limits logins would otherwise lock the account out under load). A refused
 * token is dropped only if it is still the current one, so 200 sends that all got 401 with the same
 * old token also cause one login.
 */
export class TokenCache {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly login: Login,
    private readonly now: () => number,
  ) {}

  /** Keyed by username and a hash of the password: rotating the password logs in afresh. */
  private key(credentials: ProviderCredentials): string {
    const hash = createHash("sha256").update(credentials.password).digest("base64url").slice(0, 16);
    return `${credentials.username}\n${hash}`;
  }

  async get(credentials: ProviderCredentials): Promise<AccessToken> {
    const key = this.key(credentials);
    const entry = this.entries.get(key) ?? {};
    this.entries.set(key, entry);
    if (entry.token && !this.stale(entry.token)) return entry.token;
    if (!entry.pending) {
      entry.pending = this.login(credentials)
        .then((token) => {
          entry.token = token;
          return token;
        })
        .finally(() => {
          entry.pending = undefined;
        });
    }
    return entry.pending;
  }

  /** Forgets `token` after the provider refused it (no-op when a newer token has replaced it). */
  invalidate(credentials: ProviderCredentials, token: AccessToken): void {
    const entry = this.entries.get(this.key(credentials));
    if (entry?.token?.value === token.value) entry.token = undefined;
  }

  private stale(token: AccessToken): boolean {
    return this.now() >= token.refreshAtMs;
  }
}

/**
 * When to log in again: `marginMs` before expiry, but no earlier than four fifths of the lifetime, so
 * a short-lived token is not refreshed on every call.
 */
export function refreshTime(nowMs: number, expiresInSeconds: number, marginMs: number): number {
  const lifetimeMs = expiresInSeconds * 1000;
  return nowMs + lifetimeMs - Math.min(marginMs, lifetimeMs / 5);
}
