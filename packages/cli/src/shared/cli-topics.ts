import { topicCatalog } from "@invoice/schemas";
import type { CliEnv } from "./cli-env.ts";

/** The platform's topic names under this deployment's partition count and overrides. */
export function cliTopics(env: CliEnv) {
  // The same defaults as the services' (platform config): the DLQ follows an overridden issuance topic.
  const catalog = topicCatalog({
    issuancePartitions: env.issuancePartitions,
    names: {
      ...(env.issuanceTopic ? { issuance: env.issuanceTopic } : {}),
      ...(env.issuanceDlqTopic ? { issuanceDlq: env.issuanceDlqTopic } : {}),
      ...(env.ingestDlqTopic ? { ingestDlq: env.ingestDlqTopic } : {}),
    },
  });
  return {
    issuance: catalog.issuance.topic,
    issuanceDlq: catalog.issuanceDlq.topic,
    ingestDlq: catalog.ingestDlq.topic,
  };
}
