import { z } from "zod";
import { addOwnIssue } from "./own-issue.ts";

/**
 * Field helpers for environment variables. Each takes the raw string and either converts it or fails
 * with a reason that says what is expected — never what was given, because some of these are secrets.
 */
export type ParseResult<T> = { ok: true; value: T } | { ok: false; reason: string };

/** Builds a string → T schema from a parse function (the common shape of every helper below). */
export function envField<T>(parse: (raw: string) => ParseResult<T>) {
  return z.string().transform((raw, ctx): T => {
    const result = parse(raw.trim());
    if (result.ok) return result.value;
    // `continue` lets the object's cross-field rules still run, so they are reported in the same error.
    addOwnIssue(ctx, { message: result.reason, continue: true });
    return z.NEVER;
  });
}

/** Node clamps timers above 2^31 - 1 ms to 1 ms: a huge timeout would silently become an immediate one. */
export const MAX_TIMER_MS = 2_147_483_647;

const INTEGER = /^-?\d+$/;

export function integer({ min, max, unit = "" }: { min: number; max: number; unit?: string }) {
  const expected = `must be an integer from ${min} to ${max}${unit}`;
  return envField((raw) => {
    const value = Number(raw);
    if (!INTEGER.test(raw) || !Number.isSafeInteger(value) || value < min || value > max) {
      return { ok: false, reason: expected };
    }
    return { ok: true, value };
  });
}

/** A TCP port; 0 asks the OS for a free one (used by tests). */
export const port = () => integer({ min: 0, max: 65_535 });

/** A duration in whole milliseconds (name the variable `_MS`). */
export const durationMs = ({ min = 0, max = MAX_TIMER_MS }: { min?: number; max?: number } = {}) =>
  integer({ min, max, unit: " (milliseconds)" });

export const positiveInt = ({ max = Number.MAX_SAFE_INTEGER }: { max?: number } = {}) =>
  integer({ min: 1, max });

export const nonNegativeInt = ({ max = Number.MAX_SAFE_INTEGER }: { max?: number } = {}) =>
  integer({ min: 0, max });

const TRUE = new Set(["true", "1"]);
const FALSE = new Set(["false", "0"]);

/** "true"/"false"/"1"/"0" (any case). "yes", "on" and friends are refused rather than guessed. */
export const booleanFlag = () =>
  envField((raw): ParseResult<boolean> => {
    const value = raw.toLowerCase();
    if (TRUE.has(value)) return { ok: true, value: true };
    if (FALSE.has(value)) return { ok: true, value: false };
    return { ok: false, reason: 'must be one of "true", "false", "1", "0"' };
  });

/** One of a fixed set of values. */
export function oneOf<const T extends string>(values: readonly T[]) {
  const allowed = new Set<string>(values);
  return envField(
    (raw): ParseResult<T> =>
      allowed.has(raw)
        ? { ok: true, value: raw as T }
        : { ok: false, reason: `must be one of ${values.join(", ")}` },
  );
}

/**
 * A comma-separated list; blanks around items and empty items are dropped. Each item is checked with
 * `item` (any string → T schema), and a failure names the item's position, not its value.
 */
export function commaList<T = string>(item?: z.ZodType<T, string>, { min = 1 }: { min?: number } = {}) {
  return envField((raw): ParseResult<T[]> => {
    const parts = raw
      .split(",")
      .map((part) => part.trim())
      .filter((part) => part !== "");
    if (parts.length < min)
      return { ok: false, reason: `must list at least ${min} comma-separated value(s)` };
    const values: T[] = [];
    for (const [index, part] of parts.entries()) {
      if (item === undefined) {
        values.push(part as T);
        continue;
      }
      const result = item.safeParse(part);
      if (!result.success) {
        return { ok: false, reason: `item ${index + 1}: ${result.error.issues[0]?.message ?? "is invalid"}` };
      }
      values.push(result.data);
    }
    return { ok: true, value: values };
  });
}

/** An absolute URL with one of the given protocols (e.g. ["http", "https"]); the string is kept as given. */
export function url({ protocols }: { protocols: readonly string[] }) {
  return envField((raw): ParseResult<string> => {
    let parsed: URL;
    try {
      parsed = new URL(raw);
    } catch {
      return { ok: false, reason: `must be an absolute URL (${protocols.join(" or ")})` };
    }
    if (!protocols.includes(parsed.protocol.slice(0, -1))) {
      return { ok: false, reason: `must use the ${protocols.join(" or ")} scheme` };
    }
    if (parsed.hostname === "") return { ok: false, reason: "must name a host" };
    return { ok: true, value: raw };
  });
}

const HOST_PORT = /^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+):(\d{1,5})$/;

/** `host:port` (IPv6 as `[::1]:9092`), e.g. a Kafka bootstrap broker. */
export const hostPort = () =>
  envField((raw): ParseResult<string> => {
    const match = HOST_PORT.exec(raw);
    const portNumber = Number(match?.[2]);
    if (!match || portNumber < 1 || portNumber > 65_535) {
      return { ok: false, reason: "must be host:port with a port from 1 to 65535" };
    }
    return { ok: true, value: raw };
  });

/** A secret string (surrounding whitespace, such as a newline from a mounted file, is removed). */
export const secret = ({ minLength = 1 }: { minLength?: number } = {}) =>
  envField(
    (raw): ParseResult<string> =>
      raw.length >= minLength
        ? { ok: true, value: raw }
        : { ok: false, reason: `must be at least ${minLength} characters` },
  );
