/**
 * The slice of a pino logger this package uses (constant message + fields object), so lifecycle does not
 * depend on a logging library and tests can capture calls.
 */
export interface LifecycleLogger {
  info(fields: Record<string, unknown>, message: string): void;
  warn(fields: Record<string, unknown>, message: string): void;
  error(fields: Record<string, unknown>, message: string): void;
}
