import { REDACTED, redactLogText } from "./redact-text.ts";
import { isSecretName } from "./secret-names.ts";

/**
 * Deeper than this is not inspected, so it is not emitted either ("[Truncated]"). pino prints only five
 * levels anyway (its depthLimit); the margin covers records logged under a wrapper key.
 */
const MAX_DEPTH = 12;
/** Fields inspected per value before the rest is cut ("[Truncated]"): bounds the cost of a huge object. */
const MAX_FIELDS = 2_000;

export const TRUNCATED = "[Truncated]";
export const CIRCULAR = "[Circular]";
const UNREADABLE = "[Unreadable]";
/** What `read` returns for a property whose getter threw: never equal to anything the object holds. */
const FAILED_READ = Symbol("failed read");

interface Walk {
  budget: number;
  /** The objects on the path from the root to here (at most MAX_DEPTH): a cycle is one of them again. */
  ancestors: object[];
}

/**
 * A copy of `value` that is safe to log: every field whose name is a secret one ({@link isSecretName})
 * at any depth, in arrays, in errors (their own properties, `cause` chains, AggregateError members,
 * an axios error's `config.headers.Authorization`), has its value replaced by "[REDACTED]", and every
 * string anywhere has credentials removed from it ({@link redactText}). Errors become plain objects
 * (`type`, `message`, `stack`, their own fields, `cause`, `errors`); streams and sockets (an axios
 * error's `request`) become "[ClientRequest]"-style placeholders; `toJSON` is honoured (a `URL`
 * object would otherwise print its password).
 *
 * Copy-on-write: returns the very same value when nothing needed to change, so a clean record costs
 * a walk and no allocation. Never throws: cycles become "[Circular]", throwing getters and proxies
 * "[Unreadable]", and anything past the depth or size bound "[Truncated]" — what is not inspected is
 * not emitted.
 */
export function redactValue(value: unknown): unknown {
  return walk(value, 0, { budget: MAX_FIELDS, ancestors: [] });
}

function walk(value: unknown, depth: number, state: Walk): unknown {
  if (typeof value === "string") return redactLogText(value);
  if (typeof value !== "object" || value === null) return value;
  if (state.ancestors.includes(value)) return CIRCULAR;
  if (depth >= MAX_DEPTH || state.budget <= 0) return TRUNCATED;
  state.ancestors.push(value);
  try {
    // Inside the try: `instanceof` and property reads throw on revoked or hostile proxies.
    if (value instanceof Date) return value;
    // Bytes are not read, so not emitted: pino would print a Buffer as its bytes ({"type":"Buffer",
    // "data":[123,34,112,...]}), a request body with its token in it, or a key under a harmless name.
    if (ArrayBuffer.isView(value)) return `[${constructorName(value) ?? "Bytes"} ${value.byteLength} bytes]`;
    if (value instanceof ArrayBuffer) return `[ArrayBuffer ${value.byteLength} bytes]`;
    if (value instanceof Error) return walkError(value, depth, state);
    if (isStream(value)) return `[${constructorName(value) ?? "Stream"}]`;
    if (Array.isArray(value)) return walkArray(value, depth, state);
    const json = toJson(value);
    if (json !== value) return json === UNREADABLE ? UNREADABLE : walk(json, depth + 1, state);
    return walkObject(value as Record<string, unknown>, depth, state);
  } catch {
    return UNREADABLE;
  } finally {
    state.ancestors.pop();
  }
}

/** A string that could be an HTTP header or field name (`Authorization`, `x-api-key`). */
const HEADER_NAME = /^[A-Za-z][\w.-]{0,63}$/;

/**
 * Name/value pairs laid out in an array: node's `req.rawHeaders` (`["Authorization", "Bearer x", ...]`),
 * `[...headers.entries()]` pairs, `[name, value]` tuples. A string at an even position that is a secret
 * name redacts the item after it.
 */
function walkArray(array: readonly unknown[], depth: number, state: Walk): unknown {
  let copy: unknown[] | undefined;
  let pairedWithSecretName = false;
  for (let index = 0; index < array.length; index++) {
    const item = array[index];
    const out =
      state.budget-- <= 0
        ? TRUNCATED
        : pairedWithSecretName && item !== undefined && item !== null && item !== ""
          ? REDACTED
          : walk(item, depth + 1, state);
    pairedWithSecretName =
      index % 2 === 0 && typeof item === "string" && HEADER_NAME.test(item) && isSecretName(item);
    if (out !== item && copy === undefined) copy = array.slice(0, index);
    copy?.push(out);
  }
  return copy ?? array;
}

function walkObject(object: Record<string, unknown>, depth: number, state: Walk): unknown {
  const keys = Object.keys(object);
  let copy: Record<string, unknown> | undefined;
  for (let index = 0; index < keys.length; index++) {
    const key = keys[index] as string;
    const item = read(object, key);
    const out =
      item === FAILED_READ
        ? UNREADABLE
        : state.budget-- > 0
          ? redactField(key, item, depth, state)
          : TRUNCATED;
    if (out !== item && copy === undefined) {
      copy = {};
      for (let earlier = 0; earlier < index; earlier++) {
        const earlierKey = keys[earlier] as string;
        copy[earlierKey] = object[earlierKey];
      }
    }
    if (copy !== undefined) copy[key] = out;
  }
  return copy ?? object;
}

function redactField(key: string, item: unknown, depth: number, state: Walk): unknown {
  if (isSecretName(key)) return item === undefined || item === null || item === "" ? item : REDACTED;
  return walk(item, depth + 1, state);
}

/** pino's error shape (`type`, `message`, `stack`, own fields), with `cause` and `errors` kept structured. */
function walkError(error: Error, depth: number, state: Walk): Record<string, unknown> {
  const out: Record<string, unknown> = {
    type: constructorName(error) ?? error.name,
    message: redactLogText(readText(error, "message")),
  };
  const stack = read(error, "stack");
  if (typeof stack === "string") out.stack = redactLogText(stack);
  else if (stack === FAILED_READ) out.stack = UNREADABLE;
  for (const key of Object.keys(error)) {
    if (key === "message" || key === "stack" || key === "cause" || key === "errors") continue;
    const item = read(error, key);
    out[key] =
      item === FAILED_READ
        ? UNREADABLE
        : state.budget-- > 0
          ? redactField(key, item, depth, state)
          : TRUNCATED;
  }
  // Both are own but non-enumerable when set the standard way (new Error(m, { cause }), AggregateError).
  const cause = read(error, "cause");
  if (cause === FAILED_READ) out.cause = UNREADABLE;
  else if (cause !== undefined) out.cause = walk(cause, depth + 1, state);
  const errors = read(error, "errors");
  if (Array.isArray(errors)) out.errors = walk(errors, depth + 1, state);
  return out;
}

function readText(object: object, key: string): string {
  const value = read(object, key);
  if (value === FAILED_READ) return UNREADABLE;
  return typeof value === "string" ? value : String(value ?? "");
}

function read(object: object, key: string): unknown {
  try {
    return (object as Record<string, unknown>)[key];
  } catch {
    return FAILED_READ;
  }
}

/** What JSON.stringify would print instead of the object itself, or the object when it has no `toJSON`. */
function toJson(value: object): unknown {
  const toJSON = read(value, "toJSON");
  if (toJSON === FAILED_READ) return UNREADABLE;
  if (typeof toJSON !== "function") return value;
  try {
    return toJSON.call(value);
  } catch {
    return UNREADABLE;
  }
}

/** Node streams (sockets, requests, responses): never meant for a log line, and full of headers. */
function isStream(value: object): boolean {
  return typeof read(value, "pipe") === "function" && typeof read(value, "on") === "function";
}

function constructorName(value: object): string | undefined {
  const ctor = read(value, "constructor");
  return typeof ctor === "function" && ctor.name !== "" && ctor.name !== "Object" ? ctor.name : undefined;
}
