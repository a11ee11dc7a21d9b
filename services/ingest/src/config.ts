import { type Env, envSections, loadConfig } from "@invoice/config";
import { type ClientDefaults, platformSections } from "@invoice/runtime";

// Reads (merchant profiles, webhook endpoints) and the delivery log: a few queries per request.
const CLIENT_DEFAULTS: ClientDefaults = { databasePoolMax: 5 };

/**
 * ingest configuration: the platform's shared sections (runtime, infrastructure, identity, topics);
 * see packages/config/README.md for every variable. Invalid values stop start-up, naming each variable.
 */
const schema = envSections(platformSections("ingest", CLIENT_DEFAULTS));

export const loadIngestConfig = (env: Env) => loadConfig(schema, env);
export type IngestConfig = ReturnType<typeof loadIngestConfig>;
