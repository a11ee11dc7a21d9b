import type { LifecycleLogger } from "./lifecycle-logger.ts";

export interface LogEntry {
  level: "info" | "warn" | "error";
  message: string;
  fields: Record<string, unknown>;
}

/** Captures log calls so tests can assert on the operational messages. Test support only. */
export function captureLogger(): LifecycleLogger & { entries: LogEntry[]; messages(): string[] } {
  const entries: LogEntry[] = [];
  const at =
    (level: LogEntry["level"]) =>
    (fields: Record<string, unknown>, message: string): void => {
      entries.push({ level, message, fields });
    };
  return {
    entries,
    messages: () => entries.map((entry) => entry.message),
    info: at("info"),
    warn: at("warn"),
    error: at("error"),
  };
}
