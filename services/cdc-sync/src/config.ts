import {
  durationMs,
  type Env,
  envField,
  envSections,
  loadConfig,
  oneOf,
  positiveInt,
  url,
} from "@invoice/config";
import { type ClientDefaults, platformSections } from "@invoice/runtime";
import { z } from "zod";
import type { ValueFormat } from "./envelope/record-decoder.ts";
import { type ColumnMapping, parseColumnMapping } from "./tax/column-mapping.ts";

/** A PostgreSQL identifier, optionally schema-qualified: public.Merchant, "Merchant". */
const QUALIFIED_TABLE = /^(?:[A-Za-z_][A-Za-z0-9_$]*\.)?[A-Za-z_][A-Za-z0-9_$]*$/;

/** cdc-sync's own variables (docs/adr/0015-cdc-sync.md, services/cdc-sync/README.md). */
const cdcSection = z
  .object({
    /** Debezium's Merchant topic: <topic.prefix>.<schema>.<table> of commerce's connector. */
    CDC_MERCHANT_TOPIC: z.string().min(1).default("commerce.public.Merchant"),
    /** Where refused records go (original bytes + DLQ headers). Created at start with the source's partition count. */
    CDC_DLQ_TOPIC: z.string().min(1).default("invoice.cdc-sync.merchant.dlq"),
    /** Consumer group; default <service code>_CDC_SYNC_CONSUMER. */
    CDC_CONSUMER_GROUP: z.string().min(1).optional(),
    /** Which converter wrote the topic: json (with or without schemas), avro (registry), auto (by first byte). */
    CDC_VALUE_FORMAT: oneOf(["auto", "json", "avro"] as const).default("auto"),
    /** JSON: our tax field -> commerce column (tax/column-mapping.ts); fields left out keep the default. */
    CDC_MERCHANT_COLUMN_MAPPING: envField((raw) => {
      const parsed = parseColumnMapping(raw);
      return parsed.ok
        ? { ok: true, value: parsed.mapping }
        : { ok: false, reason: `invalid mapping: ${parsed.error}` };
    }).optional(),
    /**
     * Read access to commerce's database (a replica is fine), for the drift check against the source
     * and for re-syncing one merchant. Optional: without it the drift job compares TaxInfo with metadata.tax only.
     */
    CDC_COMMERCE_DATABASE_URL: url({ protocols: ["postgresql", "postgres"] }).optional(),
    /** The Merchant table in commerce's database, optionally schema-qualified. */
    CDC_COMMERCE_MERCHANT_TABLE: z
      .string()
      .regex(QUALIFIED_TABLE, "must be a table name, optionally schema-qualified (public.Merchant)")
      .default("public.Merchant"),
    /** How often the drift job runs; 0 turns it off (run it from the CLI instead). */
    CDC_DRIFT_INTERVAL_MS: durationMs().default(300_000),
    /** Merchants read per page by the drift job. */
    CDC_DRIFT_PAGE_SIZE: positiveInt({ max: 10_000 }).default(500),
  })
  .transform((env) => ({
    merchantTopic: env.CDC_MERCHANT_TOPIC,
    dlqTopic: env.CDC_DLQ_TOPIC,
    consumerGroup: env.CDC_CONSUMER_GROUP,
    valueFormat: env.CDC_VALUE_FORMAT as ValueFormat,
    mapping: env.CDC_MERCHANT_COLUMN_MAPPING as ColumnMapping | undefined,
    commerceDatabaseUrl: env.CDC_COMMERCE_DATABASE_URL,
    commerceMerchantTable: env.CDC_COMMERCE_MERCHANT_TABLE,
    driftIntervalMs: env.CDC_DRIFT_INTERVAL_MS,
    driftPageSize: env.CDC_DRIFT_PAGE_SIZE,
  }));

// One transaction per wave of distinct merchants, up to 3 partitions at once, plus the drift job.
const CLIENT_DEFAULTS: ClientDefaults = { databasePoolMax: 4 };

/**
 * cdc-sync configuration: the platform's shared sections (runtime, infrastructure, identity, topics;
 * packages/config/README.md) plus the `cdc` section above. Invalid values stop start-up, naming each
 * variable.
 */
const schema = envSections({ ...platformSections("cdc-sync", CLIENT_DEFAULTS), cdc: cdcSection });

export const loadCdcSyncConfig = (env: Env) => loadConfig(schema, env);
export type CdcSyncConfig = ReturnType<typeof loadCdcSyncConfig>;
