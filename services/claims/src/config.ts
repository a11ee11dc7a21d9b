import { type Env, envSections, loadConfig } from "@invoice/config";
import { type ClientDefaults, platformSections } from "@invoice/runtime";

// One query or transaction per claim request, and one expiry scan at a time.
const CLIENT_DEFAULTS: ClientDefaults = { databasePoolMax: 5 };

/**
 * claims configuration: the platform's shared sections (runtime, infrastructure, identity, topics);
 * see packages/config/README.md for every variable. Invalid values stop start-up, naming each variable.
 */
const schema = envSections(platformSections("claims", CLIENT_DEFAULTS));

export const loadClaimsConfig = (env: Env) => loadConfig(schema, env);
export type ClaimsConfig = ReturnType<typeof loadClaimsConfig>;
