import { hostname } from "node:os";
import pino, { type DestinationStream, type Level, type Logger } from "pino";
import { REDACTED, redactPaths } from "./redaction.ts";

export type { Logger } from "pino";

export interface CreateLoggerOptions {
  /** Added to every line as `service`, so a shared log index can be filtered per service. */
  service: string;
  level?: Level | "silent";
  /** Where lines go; stdout by default. Tests pass a stream that collects lines. */
  destination?: DestinationStream;
  /** Extra pino redact paths on top of the shared list (see redaction.ts). */
  redact?: readonly string[];
}

/**
 * The platform's pino JSON logger: ISO timestamps, textual levels, `service` on every line, and secrets,
 * tokens, signatures, authorization headers and credentials keys replaced by "[REDACTED]".
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
    formatters: { level: (label) => ({ level: label }) },
    redact: { paths: [...redactPaths(), ...redact], censor: REDACTED },
    serializers: { err: pino.stdSerializers.err, error: pino.stdSerializers.err },
  };
  return destination ? pino(options, destination) : pino(options);
}
