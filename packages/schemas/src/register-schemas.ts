import type { AvroCodec } from "@invoice/kafka";
import { loadSchema } from "./schema-files.ts";
import { type TopicCatalog, valueSubject } from "./topic-catalog.ts";

/**
 * Registers the value schema of every Avro topic in the catalog (idempotent: the registry returns
 * the existing id for an identical schema). Runs at service start-up and in `migrate`, so a schema
 * the registry refuses stops the deployment instead of failing on the first record.
 *
 * Each subject is set to BACKWARD first (ADR 0005): Apicurio enforces no rule on a subject by
 * default, so a subject first registered by someone else (a commerce producer auto-registering)
 * would accept any later version, and the client library refuses to register under a level other
 * than BACKWARD. Setting it before registering means no version ever lands unchecked.
 */
export async function registerSchemas(codec: AvroCodec, catalog: TopicCatalog): Promise<Map<string, number>> {
  const ids = new Map<string, number>();
  for (const definition of Object.values(catalog)) {
    if (definition.value === "raw") continue;
    const subject = valueSubject(definition.topic);
    await codec.setCompatibility(subject, "BACKWARD");
    ids.set(definition.topic, await codec.register(subject, loadSchema(definition.value)));
  }
  return ids;
}
