import { importJWK, SignJWT } from "jose";
import { DEV_AUDIENCE, DEV_ISSUER, type DevKeys } from "./dev-keys.ts";

export interface DevTokenOptions {
  merchants: string[];
  permissions: string[];
  /** Seconds. */
  ttlSeconds: number;
  subject?: string;
  issuer?: string;
  audience?: string;
}

/** "1h", "30m", "90s", "2d" or plain seconds → seconds. */
export function parseTtl(text: string): number {
  const match = /^(\d{1,7})([smhd]?)$/.exec(text.trim());
  if (!match) throw new Error(`--ttl must look like 90s, 30m, 1h or 2d, got "${text}"`);
  const unit = { "": 1, s: 1, m: 60, h: 3_600, d: 86_400 }[match[2] as "" | "s" | "m" | "h" | "d"];
  const seconds = Number(match[1]) * unit;
  if (seconds < 1 || seconds > 30 * 86_400) throw new Error("--ttl must be between 1 second and 30 days");
  return seconds;
}

/** A merchant API token signed with the dev key: what the real identity provider would issue. */
export async function signDevToken(
  keys: DevKeys,
  options: DevTokenOptions,
  now = Date.now(),
): Promise<string> {
  const key = await importJWK(keys.privateJwk, "ES256");
  const issuedAt = Math.floor(now / 1000);
  return new SignJWT({ merchant_ids: options.merchants, permissions: options.permissions })
    .setProtectedHeader({ alg: "ES256", kid: keys.kid, typ: "JWT" })
    .setSubject(options.subject ?? "dev-user")
    .setIssuer(options.issuer ?? DEV_ISSUER)
    .setAudience(options.audience ?? DEV_AUDIENCE)
    .setIssuedAt(issuedAt)
    .setExpirationTime(issuedAt + options.ttlSeconds)
    .sign(key);
}
