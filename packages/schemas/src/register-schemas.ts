import { type AvroCodec, type CompatibilityLevel, SchemaCodecError } from "@invoice/kafka";
import { loadSchema } from "./schema-files.ts";
import { type TopicCatalog, valueSubject } from "./topic-catalog.ts";

/** Levels under which data written with an older schema stays readable (what ADR 0005 needs). */
const BACKWARD_SAFE: ReadonlySet<CompatibilityLevel> = new Set([
  "BACKWARD",
  "BACKWARD_TRANSITIVE",
  "FULL",
  "FULL_TRANSITIVE",
]);

export interface RegisterSchemasOptions {
  /**
   * Also register commerce's input schemas. Commerce owns those subjects in a real deployment; the
   * local stack and tests have no commerce, so they register them themselves.
   */
  includeCommerce?: boolean;
}

/**
 * Registers the value schema of every Avro topic in the catalog (idempotent: the registry returns
 * the existing id for an identical schema). Runs in `migrate`, so a schema the registry refuses
 * stops the deployment instead of failing on the first record.
 *
 * Compatibility (ADR 0005): a subject with no rule (new, or NONE — Apicurio's default) is set to
 * BACKWARD before its version is registered, so no version lands unchecked. A stricter level an
 * operator chose (BACKWARD_TRANSITIVE, FULL, FULL_TRANSITIVE) is kept. A level that does not protect
 * old data (FORWARD, FORWARD_TRANSITIVE) stops the run with the subject named.
 */
export async function registerSchemas(
  codec: AvroCodec,
  catalog: TopicCatalog,
  options: RegisterSchemasOptions = {},
): Promise<Map<string, number>> {
  const ids = new Map<string, number>();
  for (const definition of Object.values(catalog)) {
    if (definition.value === "raw") continue;
    if (definition.owner === "commerce" && !options.includeCommerce) continue;
    const subject = valueSubject(definition.topic);
    const current = await codec.getCompatibility(subject);
    const level: CompatibilityLevel = current === undefined || current === "NONE" ? "BACKWARD" : current;
    if (!BACKWARD_SAFE.has(level)) {
      throw new SchemaCodecError(
        `subject ${subject} has compatibility ${level}; records written with older schemas must stay readable, so it needs BACKWARD or stricter`,
        "SCHEMA_REJECTED",
        false,
      );
    }
    if (level !== current) await codec.setCompatibility(subject, level);
    ids.set(
      definition.topic,
      await codec.register(subject, loadSchema(definition.value), { compatibility: level }),
    );
  }
  return ids;
}
