import { topicCatalog } from "@invoice/schemas";
import type { CliEnv } from "./cli-env.ts";

/** The platform's topic names under this deployment's partition count and overrides. */
export function cliTopics(env: CliEnv) {
  const catalog = topicCatalog({ issuancePartitions: env.issuancePartitions });
  return {
    issuance: env.issuanceTopic ?? catalog.issuance.topic,
    issuanceDlq: env.issuanceDlqTopic ?? catalog.issuanceDlq.topic,
    ingestDlq: env.ingestDlqTopic ?? catalog.ingestDlq.topic,
  };
}
