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
      // A registry that does not answer in time, or cannot be reached, is unavailable like one that
      // answers an error: /ready reports one code either way (a raw TimeoutError reached it before).
      const response = await fetch(`${schemaRegistryUrl.replace(/\/+$/, "")}/subjects`, {
        signal: AbortSignal.timeout(requestTimeoutMs),
      }).catch((error: unknown) => {
        throw new PlatformError(
          "SCHEMA_REGISTRY_UNAVAILABLE",
          `schema registry did not answer within ${requestTimeoutMs} ms or could not be reached`,
          { retriable: true, cause: error },
        );
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
