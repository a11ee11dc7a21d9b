import { KeyObject } from "node:crypto";
import { REDACTED, redactText } from "@invoice/observability";

/**
 * Names whose values are secret whatever their type. Stricter than the log rules about keys: in
 * configuration every `…key` is one (credentialsKey, apiKey, *_KEY, `_KEYS` env lists); key ids
 * (`activeKeyId`) do not end in "key" and stay visible.
 */
const SECRET_NAME = /secret|password|passwd|token|signature|authorization|cookie|private|key$|_keys$/i;

/**
 * A copy of a configuration object that is safe for the start-up log: secret-named fields and any
 * binary value or key object are replaced, and every string has its credentials removed the way log
 * lines do (`@invoice/observability`'s redactText: URL passwords, `?password=`/`?token=` parameters,
 * DSN passwords). Maps become objects, bigints strings, functions dropped. Key ids stay visible, which
 * is what an operator checks after a key rotation.
 */
export function describeConfig(config: unknown): unknown {
  return describe(config, new WeakSet());
}

function describe(value: unknown, seen: WeakSet<object>): unknown {
  if (typeof value === "string") return redactText(value);
  if (typeof value === "bigint") return value.toString();
  if (typeof value === "function" || typeof value === "symbol") return undefined;
  if (typeof value !== "object" || value === null) return value;
  if (value instanceof Uint8Array || value instanceof KeyObject) return REDACTED;
  if (value instanceof Date) return value.toISOString();
  if (seen.has(value)) return "[Circular]";
  seen.add(value);
  if (Array.isArray(value)) return value.map((item) => describe(item, seen));
  if (value instanceof Set) return [...value].map((item) => describe(item, seen));
  const entries = isMapLike(value) ? [...value.entries()] : Object.entries(value);
  const result: Record<string, unknown> = {};
  for (const [key, item] of entries) {
    const name = String(key);
    const described = SECRET_NAME.test(name) && item !== undefined ? REDACTED : describe(item, seen);
    if (described !== undefined) result[name] = described;
  }
  return result;
}

/** Maps and read-only views of them (the keyring's frozen map is not a `Map`). */
function isMapLike(value: object): value is ReadonlyMap<unknown, unknown> {
  const candidate = value as Partial<ReadonlyMap<unknown, unknown>>;
  return typeof candidate.entries === "function" && typeof candidate.get === "function";
}
