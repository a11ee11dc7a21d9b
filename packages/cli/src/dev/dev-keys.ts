import { randomUUID } from "node:crypto";
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { exportJWK, generateKeyPair, type JWK } from "jose";

/**
 * The development signing key pair (ES256), made once per checkout under the stack directory
 * (`<stack dir>/dev-jwt/`, never committed: .stack is ignored) and reused by `invoice dev token` and
 * the dev JWKS server the stack starts. Local use only: production keys come from the identity
 * provider behind JWKS_URL.
 */
export interface DevKeys {
  kid: string;
  privateJwk: JWK;
  publicJwk: JWK;
}

/** What ingest expects of tokens when nothing is configured (services/ingest/src/config.ts DEV_JWT). */
export const DEV_ISSUER = "invoice-dev";
export const DEV_AUDIENCE = "invoice-merchant-api";
export const DEV_JWKS_PORT = 31151;

const FILE = "dev-signing-key.json";

export function defaultKeyDir(env: NodeJS.ProcessEnv, cwd: string): string {
  return join(env.INVOICE_STACK_DIR ?? join(cwd, ".stack"), "dev-jwt");
}

export async function loadOrCreateDevKeys(dir: string): Promise<DevKeys> {
  const path = join(dir, FILE);
  if (existsSync(path)) return JSON.parse(readFileSync(path, "utf8")) as DevKeys;
  const { privateKey, publicKey } = await generateKeyPair("ES256", { extractable: true });
  const kid = `dev-${randomUUID()}`;
  const keys: DevKeys = {
    kid,
    privateJwk: { ...(await exportJWK(privateKey)), kid, alg: "ES256" },
    publicJwk: { ...(await exportJWK(publicKey)), kid, alg: "ES256", use: "sig" },
  };
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  // Written beside and renamed: two first uses at once end with one key, never a torn file.
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, JSON.stringify(keys), { mode: 0o600 });
  if (existsSync(path)) return JSON.parse(readFileSync(path, "utf8")) as DevKeys;
  renameSync(temporary, path);
  chmodSync(path, 0o600);
  return keys;
}
