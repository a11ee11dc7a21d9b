// Avro strings are UTF-8. A JavaScript string can hold a lone surrogate (half of a pair: from a
// JSON `\ud800` escape, or text cut with `slice` in the middle of an emoji), which UTF-8 cannot
// carry: avsc then writes bytes that are not UTF-8 at all, and every reader (Java's included)
// decodes them as replacement characters — a buyer's name changed silently between producer and
// issuer. So what goes on the wire is checked here.
import { refuse } from "./event-mapping-error.ts";

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

function visit(value: unknown, path: string, onString: (s: string, path: string) => string): unknown {
  if (typeof value === "string") return onString(value, path);
  if (Array.isArray(value)) return value.map((v, i) => visit(v, `${path}[${i}]`, onString));
  if (typeof value === "object" && value !== null) {
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [k, visit(v, path === "" ? k : `${path}.${k}`, onString)]),
    );
  }
  return value;
}

/**
 * Refuses (INVALID_VALUE, with its path) a record with text UTF-8 cannot carry: input from a
 * producer is bad input, reported to whoever sent it, never rewritten.
 */
export function requireWellFormedText<T>(value: T): T {
  visit(value, "", (s, path) => {
    LONE_SURROGATE.lastIndex = 0;
    if (LONE_SURROGATE.test(s)) {
      refuse("INVALID_VALUE", path, "text holds a lone surrogate, which Avro's UTF-8 strings cannot carry");
    }
    return s;
  });
  return value;
}

/**
 * The record with every lone surrogate replaced by U+FFFD: for what the issuer publishes (its own
 * messages may quote provider text cut to length), where refusing would leave the outbox record
 * unpublishable for ever.
 */
export function wellFormedText<T>(value: T): T {
  return visit(value, "", (s) => s.replace(LONE_SURROGATE, "\uFFFD")) as T;
}
