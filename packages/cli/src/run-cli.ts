import { Command, CommanderError } from "commander";
import { registerDevCommands } from "./dev/dev-commands.ts";
import type { CliContext } from "./shared/cli-context.ts";
import { EXIT, NotFoundError, UsageError } from "./shared/cli-env.ts";

/**
 * Runs one `invoice ...` command and resolves with its exit code (0 ok, 1 failed, 2 usage,
 * 3 not found, 130 interrupted); errors are printed on stderr, never thrown.
 */
export async function runCli(argv: readonly string[], context: CliContext): Promise<number> {
  let exitCode: number = EXIT.ok;
  const setExit = (code: number) => {
    exitCode = code;
  };
  const program = new Command("invoice")
    .description("Invoice platform CLI (exit codes: 0 ok, 1 failed, 2 usage, 3 not found, 130 interrupted)")
    .showHelpAfterError()
    .exitOverride()
    .configureOutput({ writeOut: context.stdout, writeErr: context.stderr });
  registerDevCommands(program);
  // Areas load on demand (Kafka, Avro and Prisma are slow to import): `dev token` stays quick.
  const area = argv[0];
  const wants = (name: string) =>
    area === undefined || area.startsWith("-") || area === "help" || area === name;
  if (wants("dlq")) (await import("./dlq/dlq-commands.ts")).registerDlqCommands(program, context, setExit);
  if (wants("ops")) (await import("./ops/ops-commands.ts")).registerOpsCommands(program, context, setExit);
  for (const command of program.commands) {
    command.exitOverride();
    for (const sub of command.commands) sub.exitOverride();
  }
  try {
    await program.parseAsync([...argv], { from: "user" });
    return exitCode;
  } catch (error) {
    if (error instanceof CommanderError) {
      // --help and --version land here too, with exit code 0.
      return error.exitCode === 0 ? EXIT.ok : EXIT.usage;
    }
    const message = error instanceof Error ? error.message : String(error);
    context.stderr(`invoice: ${message}\n`);
    if (error instanceof UsageError) return EXIT.usage;
    if (error instanceof NotFoundError) return EXIT.notFound;
    return EXIT.failed;
  }
}
