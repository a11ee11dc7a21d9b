import { LOCAL_STACK } from "@invoice/config";

/**
 * Where the CLI connects: the same variables the services read (KAFKA_BROKERS, SCHEMA_REGISTRY_URL,
 * DATABASE_URL, INVOICE_ISSUANCE_PARTITIONS), defaulting to the local stack. The CLI reads
 * `process.env` only through this function (its own composition root is invoice.cli.ts).
 */
export interface CliEnv {
  kafkaBrokers: string[];
  schemaRegistryUrl: string;
  databaseUrl: string;
  /**
   * Give up opening a PostgreSQL connection after this long (DATABASE_CONNECT_TIMEOUT_MS, the services'
   * variable). 15 s by default, longer than the services' 5 s: an operator's command on a loaded host
   * should wait rather than fail (a loaded CI run saw a connect take more than 5 s).
   */
  databaseConnectTimeoutMs: number;
  issuancePartitions: number;
  /** Who runs the command, for the audit: ops:<INVOICE_OPERATOR or the OS user>. */
  actor: string;
  /** Topic name overrides (tests, other deployments): INVOICE_ISSUANCE_DLQ_TOPIC, INVOICE_INGEST_DLQ_TOPIC. */
  issuanceTopic: string | undefined;
  issuanceDlqTopic: string | undefined;
  ingestDlqTopic: string | undefined;
}

export function readCliEnv(env: NodeJS.ProcessEnv): CliEnv {
  const partitions = Number(env.INVOICE_ISSUANCE_PARTITIONS ?? "3");
  if (!Number.isInteger(partitions) || partitions < 1) {
    throw new UsageError(
      `INVOICE_ISSUANCE_PARTITIONS must be a positive integer, got "${env.INVOICE_ISSUANCE_PARTITIONS}"`,
    );
  }
  const connectTimeout = Number(env.DATABASE_CONNECT_TIMEOUT_MS ?? "15000");
  if (!Number.isInteger(connectTimeout) || connectTimeout < 1) {
    throw new UsageError(
      `DATABASE_CONNECT_TIMEOUT_MS must be a positive number of milliseconds, got "${env.DATABASE_CONNECT_TIMEOUT_MS}"`,
    );
  }
  return {
    kafkaBrokers: (env.KAFKA_BROKERS ?? LOCAL_STACK.KAFKA_BROKERS).split(",").map((b) => b.trim()),
    schemaRegistryUrl: env.SCHEMA_REGISTRY_URL ?? LOCAL_STACK.SCHEMA_REGISTRY_URL,
    databaseUrl: env.DATABASE_URL ?? LOCAL_STACK.DATABASE_URL,
    databaseConnectTimeoutMs: connectTimeout,
    issuancePartitions: partitions,
    actor: `ops:${env.INVOICE_OPERATOR ?? env.USER ?? "unknown"}`,
    issuanceTopic: env.INVOICE_ISSUANCE_TOPIC || undefined,
    issuanceDlqTopic: env.INVOICE_ISSUANCE_DLQ_TOPIC || undefined,
    ingestDlqTopic: env.INVOICE_INGEST_DLQ_TOPIC || undefined,
  };
}

/** Exit codes every command shares (README of packages/cli). */
export const EXIT = {
  ok: 0,
  /** Something failed (broker, database, a record that could not be replayed). */
  failed: 1,
  /** Bad arguments or configuration. */
  usage: 2,
  /** The thing asked for does not exist (no such record, order, merchant). */
  notFound: 3,
  /** Stopped by Ctrl-C between records; what was done is recorded. */
  interrupted: 130,
} as const;

export class UsageError extends Error {
  override readonly name = "UsageError";
}

export class NotFoundError extends Error {
  override readonly name = "NotFoundError";
}

/** Output of a command: one JSON document with --json, else human lines. */
export interface Output {
  json: boolean;
  /** Human text (ignored with --json). */
  line(text: string): void;
  /** The result: printed as JSON with --json; otherwise `human` renders it. */
  result<T>(value: T, human?: (value: T) => void): void;
}

export function createOutput(
  json: boolean,
  write: (text: string) => void = (t) => process.stdout.write(t),
): Output {
  return {
    json,
    line(text) {
      if (!json) write(`${text}\n`);
    },
    result(value, human) {
      if (json) write(`${JSON.stringify(value, jsonReplacer, 2)}\n`);
      else human?.(value);
    },
  };
}

/** BigInts as strings, Buffers as base64: what JSON.stringify cannot do by itself. */
export function jsonReplacer(_key: string, value: unknown): unknown {
  if (typeof value === "bigint") return value.toString();
  if (value && typeof value === "object" && (value as { type?: string }).type === "Buffer") {
    const data = (value as { data?: number[] }).data;
    if (Array.isArray(data)) return { base64: Buffer.from(data).toString("base64") };
  }
  return value;
}

/** Fixed-width columns for human tables. */
export function table(rows: string[][]): string {
  const widths: number[] = [];
  for (const row of rows) {
    row.forEach((cell, i) => {
      widths[i] = Math.max(widths[i] ?? 0, cell.length);
    });
  }
  return rows
    .map((row) =>
      row
        .map((cell, i) => cell.padEnd(widths[i] ?? 0))
        .join("  ")
        .trimEnd(),
    )
    .join("\n");
}
