import { hostname } from "node:os";
import pino, { type DestinationStream, type Level, type Logger } from "pino";
import { REDACTED, redactLogText } from "./redact-text.ts";
import { redactValue } from "./redact-value.ts";

export type { Logger } from "pino";

export interface CreateLoggerOptions {
  /** Added to every line as `service`, so a shared log index can be filtered per service. */
  service: string;
  level?: Level | "silent";
  /** Where lines go; stdout by default. Tests pass a stream that collects lines. */
  destination?: DestinationStream;
  /**
   * Extra pino redact paths (exact paths such as `payload.buyer.taxCode`) for fields that are not
   * secret by name but must not be logged, on top of the name- and text-based redaction.
   */
  redact?: readonly string[];
}

/** pino needs an object from `formatters.log`; a top-level value that could not be read is wrapped. */
function redactFields(fields: Record<string, unknown>): Record<string, unknown> {
  const out = redactValue(fields);
  return typeof out === "object" && out !== null && !Array.isArray(out)
    ? (out as Record<string, unknown>)
    : { fields: out };
}

/**
 * The platform's pino JSON logger: ISO timestamps, textual levels, `service` on every line, and secrets
 * redacted from everything that is written — the fields object at any depth (ADR 0012, redaction.ts),
 * child bindings, errors and their causes, and the message itself (URL passwords, `?token=`...).
 * Log a constant message with a fields object: `logger.info({ orderId }, "invoice issued")`.
 */
export function createLogger({
  service,
  level = "info",
  destination,
  redact = [],
}: CreateLoggerOptions): Logger {
  const options: pino.LoggerOptions = {
    level,
    base: { service, pid: process.pid, hostname: hostname() },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: {
      level: (label) => ({ level: label }),
      bindings: redactFields,
      log: redactFields,
    },
    // The walker above serialises errors itself (structured causes, redacted properties); pino's
    // default `err` serializer would turn its output back into an "Object" error.
    // (pino always merges its default `err` serializer in, so it is replaced by the identity here).
    serializers: {
      err: (error: unknown) => error,
      msg: (message: unknown) => (typeof message === "string" ? redactLogText(message) : message),
    },
    // pino's own path redaction (fast-redact) only for the caller's extra exact paths: wildcard paths
    // cost tens of microseconds per line, which is why the shared rules are not written as paths.
    ...(redact.length > 0 ? { redact: { paths: [...redact], censor: REDACTED } } : {}),
  };
  const logger = destination ? pino(options, destination) : pino(options);
  return redactChildBindings(logger);
}

/**
 * pino runs a field's serializer after `formatters.log` (and after the bindings are redacted), so what
 * a child's own serializer returns (`conn: (c) => c.toString()`, a DSN with its password) would be
 * written unredacted: each one's output goes through the walker too.
 */
function redactSerializers<T extends { serializers?: Record<string, (value: unknown) => unknown> }>(
  childOptions: T | undefined,
): T | undefined {
  const serializers = childOptions?.serializers;
  if (childOptions === undefined || serializers === undefined) return childOptions;
  const wrapped = Object.fromEntries(
    Object.entries(serializers).map(([key, serialize]) => [
      key,
      (value: unknown) => redactValue(serialize(value)),
    ]),
  );
  return { ...childOptions, serializers: wrapped };
}

/**
 * pino runs `formatters.bindings` only for the root logger's base: a child's bindings
 * (`logger.child({ url })`, one per record) and `setBindings` go out unformatted. The root gets a
 * `child` and a `setBindings` that redact them first; children are created from the root's prototype
 * chain, so they inherit both.
 */
function redactChildBindings(logger: Logger): Logger {
  const child = logger.child;
  const redacting: Logger["child"] = function (this: Logger, bindings, childOptions) {
    return child.call(this, redactFields(bindings), redactSerializers(childOptions)) as never;
  };
  const setBindings = logger.setBindings;
  const redactingSet: Logger["setBindings"] = function (this: Logger, bindings) {
    setBindings.call(this, redactFields(bindings));
  };
  Object.defineProperty(logger, "child", { value: redacting, writable: true, configurable: true });
  Object.defineProperty(logger, "setBindings", { value: redactingSet, writable: true, configurable: true });
  return logger;
}
