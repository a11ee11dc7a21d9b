#!/usr/bin/env node
// The platform's operator and developer CLI: `pnpm invoice <command>`. Commands are grouped by area
// (dev, dlq, ops), each in its own module registering on the program (run-cli.ts). This file is the
// CLI's composition root: the only place that reads the environment and the process.
import { runCli } from "./run-cli.ts";
import type { CliContext } from "./shared/cli-context.ts";
import { readCliEnv } from "./shared/cli-env.ts";

let interrupts = 0;
process.on("SIGINT", () => {
  interrupts += 1;
  // The first Ctrl-C stops a replay between records; a second one ends the process at once.
  if (interrupts > 1) process.exit(130);
  process.stderr.write("\nstopping after the current record (Ctrl-C again to abort now)\n");
});

const argv = process.argv.slice(2);

/** `dev` needs no broker, registry or database: its context is output only (and loads quicker). */
async function context(): Promise<CliContext> {
  const env = readCliEnv(process.env);
  const interrupted = () => interrupts > 0;
  if (argv[0] !== "dev")
    return (await import("./shared/cli-context.ts")).createCliContext(env, { interrupted });
  const unavailable = () => {
    throw new Error("not available to dev commands");
  };
  return {
    env,
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    kafka: unavailable,
    codec: unavailable,
    openAudit: unavailable,
    interrupted,
    progressEnabled: false,
  };
}

let code: number;
try {
  code = await runCli(argv, await context());
} catch (error) {
  process.stderr.write(`invoice: ${error instanceof Error ? error.message : String(error)}\n`);
  code = 2;
}
process.exit(code);
