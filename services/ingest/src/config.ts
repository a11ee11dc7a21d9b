import { type Env, envSections, loadConfig } from "@invoice/config";
import { platformSections } from "@invoice/runtime";

/**
 * ingest configuration: the platform's shared sections (runtime, infrastructure, identity, topics);
 * see packages/config/README.md for every variable. Invalid values stop start-up, naming each variable.
 */
const schema = envSections(platformSections("ingest"));

export const loadIngestConfig = (env: Env) => loadConfig(schema, env);
export type IngestConfig = ReturnType<typeof loadIngestConfig>;
