import { PlatformError } from "@invoice/errors";
import { type AvroCodec, createAvroCodec } from "@invoice/kafka";
import type { PlatformConfig } from "../platform-config.ts";
import type { ServiceClient } from "./service-client.ts";

/**
 * The Avro codec against the schema registry (Confluent wire format). Stateless HTTP, so closing it
 * releases nothing. Ready means the registry lists its subjects within SCHEMA_REGISTRY_TIMEOUT_MS.
 */
export function createCodec(
  config: Pick<PlatformConfig, "infrastructure" | "clients" | "identity">,
): ServiceClient<AvroCodec> {
  const { schemaRegistryUrl } = config.infrastructure;
  const { requestTimeoutMs } = config.clients.schemaRegistry;
  return {
    name: "schema-registry",
    client: createAvroCodec({
      url: schemaRegistryUrl,
      clientId: config.identity.kafkaClientId,
      requestTimeoutMs,
    }),
    readinessCheck: async () => {
      const response = await fetch(`${schemaRegistryUrl.replace(/\/+$/, "")}/subjects`, {
        signal: AbortSignal.timeout(requestTimeoutMs),
      });
      if (!response.ok) {
        throw new PlatformError(
          "SCHEMA_REGISTRY_UNAVAILABLE",
          `schema registry answered ${response.status}`,
          {
            retriable: true,
          },
        );
      }
    },
    close: async () => undefined,
  };
}
