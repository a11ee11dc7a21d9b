import { waitFor } from "@invoice/testing";
import pg from "pg";
import { cdcStackEnv } from "./cdc-stack.ts";
import type { CommerceDatabase } from "./commerce-database.ts";

/** How the connector writes keys and values: JsonConverter without or with schemas, or Apicurio Avro. */
export type ConnectorFormat = "json" | "json-schemas" | "avro";

export interface ConnectorOptions {
  name: string;
  database: CommerceDatabase;
  /** topic.prefix: the Merchant topic is <prefix>.public.Merchant. */
  prefix: string;
  format: ConnectorFormat;
  /** Confluent-compatible registry URL (ccompat); the converter uses the same server's v2 API. */
  schemaRegistryUrl?: string;
  table?: string;
  partitions?: number;
  /** Debezium's poll.interval.ms (default 500); lower for tests that measure latency. */
  pollIntervalMs?: number;
}

/**
 * The Debezium PostgreSQL connector config cdc-sync is tested against (docs/adr/0015-cdc-sync.md has
 * the production version): pgoutput, a slot and a filtered publication of its own, tombstones after
 * deletes, topics created by Connect (the broker may refuse auto-creation).
 */
export function connectorConfig(options: ConnectorOptions): Record<string, string> {
  const env = cdcStackEnv();
  const slot = options.name.replace(/[^a-z0-9_]/g, "_").slice(0, 60);
  const config: Record<string, string> = {
    "connector.class": "io.debezium.connector.postgresql.PostgresConnector",
    "tasks.max": "1",
    "database.hostname": env.commerceHost,
    "database.port": String(env.commercePort),
    "database.user": "postgres",
    "database.password": "",
    "database.dbname": options.database.name,
    "topic.prefix": options.prefix,
    "plugin.name": "pgoutput",
    "slot.name": slot,
    "publication.name": `${slot}_pub`,
    "publication.autocreate.mode": "filtered",
    "table.include.list": options.table ?? "public.Merchant",
    "snapshot.mode": "initial",
    "tombstones.on.delete": "true",
    "poll.interval.ms": String(options.pollIntervalMs ?? 100),
    "topic.creation.default.partitions": String(options.partitions ?? 3),
    "topic.creation.default.replication.factor": "1",
  };
  if (options.format === "json-schemas") {
    Object.assign(config, {
      "key.converter": "org.apache.kafka.connect.json.JsonConverter",
      "value.converter": "org.apache.kafka.connect.json.JsonConverter",
      "key.converter.schemas.enable": "true",
      "value.converter.schemas.enable": "true",
    });
  }
  if (options.format === "avro") {
    const registryV2 = (options.schemaRegistryUrl ?? "http://127.0.0.1:8081/apis/ccompat/v7").replace(
      /\/apis\/ccompat\/v\d+\/?$/,
      "/apis/registry/v2",
    );
    for (const side of ["key", "value"]) {
      Object.assign(config, {
        [`${side}.converter`]: "io.apicurio.registry.utils.converter.AvroConverter",
        [`${side}.converter.apicurio.registry.url`]: registryV2,
        [`${side}.converter.apicurio.registry.auto-register`]: "true",
        [`${side}.converter.apicurio.registry.find-latest`]: "true",
        // Confluent wire format in the payload (magic byte + 4-byte id), the id being the content id
        // that Apicurio's ccompat API serves; no Apicurio id headers.
        [`${side}.converter.apicurio.registry.headers.enabled`]: "false",
        [`${side}.converter.apicurio.registry.id-handler`]: "io.apicurio.registry.serde.Legacy4ByteIdHandler",
        [`${side}.converter.apicurio.registry.use-id`]: "contentId",
      });
    }
  }
  return config;
}

export interface RunningConnector {
  name: string;
  topic: string;
  /** Deletes the connector, then its slot and publication (WAL would otherwise be pinned). */
  remove(): Promise<void>;
}

async function connect(path: string, init?: RequestInit) {
  const response = await fetch(`${cdcStackEnv().connectUrl}${path}`, {
    ...init,
    headers: { "content-type": "application/json", ...(init?.headers ?? {}) },
    signal: AbortSignal.timeout(30_000),
  });
  const text = await response.text();
  return { status: response.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

/** Creates the connector through Connect's REST API and waits until its task runs. */
export async function startConnector(options: ConnectorOptions): Promise<RunningConnector> {
  const config = connectorConfig(options);
  const created = await connect("/connectors", {
    method: "POST",
    body: JSON.stringify({ name: options.name, config }),
  });
  if (created.status !== 201)
    throw new Error(`creating connector ${options.name}: ${created.status} ${JSON.stringify(created.body)}`);
  await waitFor(
    async () => {
      const { body } = await connect(`/connectors/${options.name}/status`);
      const tasks = (body.tasks ?? []) as Array<{ state: string; trace?: string }>;
      const failed = tasks.find((t) => t.state === "FAILED");
      if (failed)
        throw Object.assign(new Error(`connector task failed: ${failed.trace?.slice(0, 2000)}`), {
          fatal: true,
        });
      return tasks.length > 0 && tasks.every((t) => t.state === "RUNNING");
    },
    { timeoutMs: 60_000, description: `connector ${options.name} running` },
  );
  const slot = config["slot.name"] as string;
  const publication = config["publication.name"] as string;
  return {
    name: options.name,
    topic: `${options.prefix}.${options.table ?? "public.Merchant"}`,
    async remove() {
      await connect(`/connectors/${options.name}`, { method: "DELETE" });
      const client = new pg.Client({ connectionString: options.database.url });
      await client.connect();
      try {
        // The task lets go of the slot asynchronously after the DELETE.
        await waitFor(
          async () => {
            const { rows } = await client.query(
              "SELECT active FROM pg_replication_slots WHERE slot_name = $1",
              [slot],
            );
            return rows.length === 0 || rows[0].active === false;
          },
          { timeoutMs: 30_000, description: `slot ${slot} released` },
        );
        await client.query(
          "SELECT pg_drop_replication_slot($1) FROM pg_replication_slots WHERE slot_name = $1",
          [slot],
        );
        await client.query(`DROP PUBLICATION IF EXISTS "${publication}"`);
      } finally {
        await client.end();
      }
    },
  };
}
