import { credentialsSection, type Env, envSections, loadConfig } from "@invoice/config";
import { platformSections } from "@invoice/runtime";

/**
 * issuer configuration: the platform's shared sections plus the credentials keyring that decrypts
 * provider credentials (APP_ENV_INVOICE_CREDENTIALS_KEY: exactly 64 hex characters, else the issuer
 * refuses to start). See packages/config/README.md for every variable.
 */
const schema = envSections({ ...platformSections("issuer"), credentials: credentialsSection });

export const loadIssuerConfig = (env: Env) => loadConfig(schema, env);
export type IssuerConfig = ReturnType<typeof loadIssuerConfig>;
