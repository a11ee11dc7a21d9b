import { ConfigError } from "@invoice/config";
import { ShutdownInProgressError } from "@invoice/lifecycle";

/** Exit code for a configuration error (sysexits EX_CONFIG), distinct from a crash (1). */
export const EXIT_CONFIG = 78;

/**
 * Runs a service's main function and turns start-up failures into one readable line on stderr and an
 * exit code: a bad configuration names every variable (never a secret's value) and exits 78.
 */
export function runMain(service: string, main: () => Promise<void>): void {
  main().catch((error: unknown) => {
    // SIGTERM or a fatal component error during start-up: the shutdown it began exits the process
    // with its own code (0 after a clean SIGTERM); nothing failed to start.
    if (error instanceof ShutdownInProgressError) return;
    if (error instanceof ConfigError) {
      console.error(`[${service}] refusing to start: ${error.message}`);
      process.exit(EXIT_CONFIG);
    }
    const code = (error as { code?: unknown } | null)?.code;
    console.error(
      `[${service}] failed to start${code ? ` [${String(code)}]` : ""}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
    );
    process.exit(1);
  });
}
