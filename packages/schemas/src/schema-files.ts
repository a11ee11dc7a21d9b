import { readFileSync } from "node:fs";

/**
 * The .avsc files in ../avro are the source of truth: the registry, the TypeScript types and the
 * compatibility check in CI all start from them.
 */
export type SchemaName =
  | "issuance-event"
  | "invoice-event"
  | "commerce-payment-succeeded"
  | "commerce-invoice-requested"
  | "commerce-payment-refunded";

export const SCHEMA_NAMES: readonly SchemaName[] = [
  "issuance-event",
  "invoice-event",
  "commerce-payment-succeeded",
  "commerce-invoice-requested",
  "commerce-payment-refunded",
];

export const AVRO_DIR = new URL("../avro/", import.meta.url);

const cache = new Map<SchemaName, object>();

export function loadSchema(name: SchemaName): object {
  let schema = cache.get(name);
  if (!schema) {
    schema = JSON.parse(readFileSync(new URL(`${name}.avsc`, AVRO_DIR), "utf8")) as object;
    cache.set(name, schema);
  }
  return schema;
}
