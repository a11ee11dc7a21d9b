import { credentialsSection, type Env, envSections, loadConfig } from "@invoice/config";
import { type ClientDefaults, platformSections } from "@invoice/runtime";

// Batched state writes run next to per-order provider work (two or three transactions in flight per
// partition), hence a larger pool than the request-driven services.
const CLIENT_DEFAULTS: ClientDefaults = { databasePoolMax: 10 };

/**
 * issuer configuration: the platform's shared sections plus the credentials keyring that decrypts
 * provider credentials (APP_ENV_INVOICE_CREDENTIALS_KEY: exactly 64 hex characters, else the issuer
 * refuses to start). See packages/config/README.md for every variable.
 */
const schema = envSections({
  ...platformSections("issuer", CLIENT_DEFAULTS),
  credentials: credentialsSection,
});

export const loadIssuerConfig = (env: Env) => loadConfig(schema, env);
export type IssuerConfig = ReturnType<typeof loadIssuerConfig>;
