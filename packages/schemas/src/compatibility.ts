import avro from "avsc";

export type CompatibilityResult = { ok: true } | { ok: false; reason: string };

/**
 * BACKWARD compatibility, as Confluent defines it: consumers using the new schema can read data
 * written with the old one. avsc decides it the way the reader would at run time, by building a
 * resolver from the old (writer) schema to the new (reader) schema.
 */
export function checkBackwardCompatible(newSchema: object, oldSchema: object): CompatibilityResult {
  let reader: avro.Type;
  let writer: avro.Type;
  try {
    reader = avro.Type.forSchema(newSchema as avro.Schema);
    writer = avro.Type.forSchema(oldSchema as avro.Schema);
  } catch (error) {
    return { ok: false, reason: `invalid schema: ${(error as Error).message}` };
  }
  try {
    reader.createResolver(writer);
    return { ok: true };
  } catch (error) {
    return { ok: false, reason: (error as Error).message };
  }
}
