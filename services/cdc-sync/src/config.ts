import { type Env, envSections, loadConfig } from "@invoice/config";
import { type ClientDefaults, platformSections } from "@invoice/runtime";

// One TaxInfo write per change event, applied in order: a small pool is enough.
const CLIENT_DEFAULTS: ClientDefaults = { databasePoolMax: 3 };

/**
 * cdc-sync configuration: the platform's shared sections (runtime, infrastructure, identity, topics);
 * see packages/config/README.md for every variable. Invalid values stop start-up, naming each variable.
 */
const schema = envSections(platformSections("cdc-sync", CLIENT_DEFAULTS));

export const loadCdcSyncConfig = (env: Env) => loadConfig(schema, env);
export type CdcSyncConfig = ReturnType<typeof loadCdcSyncConfig>;
