import { createTempDatabase, type TempDatabase } from "@invoice/db/testing";
import { testClient } from "@invoice/kafka/testing";
import { stackEnv } from "@invoice/testing";
import { runCli } from "../src/run-cli.ts";
import { type CliContext, createCliContext } from "../src/shared/cli-context.ts";
import { readCliEnv } from "../src/shared/cli-env.ts";

/** Runs the CLI in-process against the stack, with its own migrated database, capturing output. */
export interface CliHarness {
  db: TempDatabase;
  run(
    args: string[],
    env?: Record<string, string>,
  ): Promise<{ code: number; stdout: string; stderr: string }>;
  json<T = unknown>(args: string[], env?: Record<string, string>): Promise<{ code: number; value: T }>;
}

export async function createCliHarness(): Promise<CliHarness> {
  const db = await createTempDatabase("cli", { migrate: true });
  const stack = stackEnv();
  const run: CliHarness["run"] = async (args, env = {}) => {
    let stdout = "";
    let stderr = "";
    const cliEnv = readCliEnv({
      KAFKA_BROKERS: stack.kafkaBrokers.join(","),
      SCHEMA_REGISTRY_URL: stack.schemaRegistryUrl,
      DATABASE_URL: db.url,
      INVOICE_OPERATOR: "cli-test",
      ...env,
    });
    const base = createCliContext(cliEnv, { interrupted: () => false });
    const context: CliContext = {
      ...base,
      kafka: () => testClient(),
      stdout: (t) => {
        stdout += t;
      },
      stderr: (t) => {
        stderr += t;
      },
      progressEnabled: false,
    };
    const code = await runCli(args, context);
    return { code, stdout, stderr };
  };
  return {
    db,
    run,
    async json(args, env) {
      const { code, stdout, stderr } = await run([...args, "--json"], env);
      if (stdout.trim() === "") throw new Error(`no output (exit ${code}): ${stderr}`);
      return { code, value: JSON.parse(stdout) };
    },
  };
}
