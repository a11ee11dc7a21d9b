import type { PrismaClient } from "@invoice/db";
import {
  type AvroCodec,
  createAvroCodec,
  createKafkaJsClient,
  type KafkaClient,
  silentLogger,
} from "@invoice/kafka";
import type { CliEnv } from "./cli-env.ts";
import type { OperatorAudit } from "./operator-audit.ts";

/** What commands are given (invoice.cli.ts builds it from the environment; tests build their own). */
export interface CliContext {
  env: CliEnv;
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  kafka(): KafkaClient;
  codec(): AvroCodec;
  openAudit(): Promise<{ audit: OperatorAudit; prisma: PrismaClient }>;
  /** Resolves true once Ctrl-C was pressed (replay stops between records). */
  interrupted(): boolean;
  /** Whether the progress bar may draw (a terminal on stderr). */
  progressEnabled: boolean;
}

export function createCliContext(env: CliEnv, options: { interrupted: () => boolean }): CliContext {
  let kafka: KafkaClient | undefined;
  let codec: AvroCodec | undefined;
  return {
    env,
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    kafka: () => {
      kafka ??= createKafkaJsClient({
        brokers: env.kafkaBrokers,
        clientId: "invoice-cli",
        logger: silentLogger,
      });
      return kafka;
    },
    codec: () => {
      codec ??= createAvroCodec({ url: env.schemaRegistryUrl, clientId: "invoice-cli" });
      return codec;
    },
    // Loaded on first use: Prisma is the heaviest import, and `dev token` or `ops partition` need none of it.
    openAudit: async () =>
      (await import("./operator-audit.ts")).openOperatorAudit(env.databaseUrl, {
        connectTimeoutMs: env.databaseConnectTimeoutMs,
      }),
    interrupted: options.interrupted,
    progressEnabled: Boolean(process.stderr.isTTY),
  };
}
