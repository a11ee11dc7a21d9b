import type { Env } from "@invoice/config";
import { PlatformError } from "@invoice/errors";
import { createLogger, type Logger } from "@invoice/observability";
import type { PlatformConfig, ServiceName } from "./platform-config.ts";
import { runMigrate } from "./run-migrate.ts";

/** The first argument names no run mode of the service: a deployment mistake, never retriable. */
export class UnknownRunModeError extends PlatformError {
  override readonly name = "UnknownRunModeError";
  declare readonly code: "RUN_MODE_UNKNOWN";

  constructor(message: string) {
    super("RUN_MODE_UNKNOWN", message, { retriable: false });
  }
}

export interface LaunchOptions<C extends PlatformConfig> {
  service: ServiceName;
  /** The service's long-running modes; the first is the default. `migrate` is always accepted. */
  modes: readonly [string, ...string[]];
  loadConfig: (env: Env) => C;
}

/** What launch reads of the process: main.ts passes `process` itself (its argv and env). */
export interface LaunchProcess {
  /** The whole argv; the run mode is the first argument after the script. */
  argv: readonly string[];
  env: Env;
}

export interface Launched<C> {
  mode: string;
  config: C;
  logger: Logger;
}

/**
 * The first steps of every service's main.ts: pick the run mode, load and validate configuration
 * (refusing to start on any problem), create the logger, and run `migrate` to completion when that
 * is the mode (then returns undefined: the process has nothing left to do).
 */
export async function launch<C extends PlatformConfig>(
  options: LaunchOptions<C>,
  proc: LaunchProcess,
): Promise<Launched<C> | undefined> {
  const mode = proc.argv[2] ?? options.modes[0];
  if (mode !== "migrate" && !options.modes.includes(mode)) {
    throw new UnknownRunModeError(
      `unknown run mode "${mode}" for ${options.service}; expected one of: ${[...options.modes, "migrate"].join(", ")}`,
    );
  }
  const config = options.loadConfig(proc.env);
  const logger = createLogger({ service: options.service, level: config.runtime.logLevel }).child({ mode });
  if (mode === "migrate") {
    await runMigrate(config, logger);
    return undefined;
  }
  return { mode, config, logger };
}
