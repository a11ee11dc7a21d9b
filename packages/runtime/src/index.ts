export { createCodec } from "./clients/codec.ts";
export { createIds } from "./clients/ids.ts";
export { createKafka, createTopicCatalog, type KafkaServiceClient } from "./clients/kafka.ts";
export { createPostgres } from "./clients/postgres.ts";
export { createRedis } from "./clients/redis.ts";
export type { ServiceClient } from "./clients/service-client.ts";
export {
  addConsumerLagMetrics,
  type ConsumerLagMetrics,
  type ConsumerLagMetricsOptions,
  createConsumerLagMetrics,
} from "./consumer-lag-metrics.ts";
export {
  type Launched,
  type LaunchOptions,
  type LaunchProcess,
  launch,
  UnknownRunModeError,
} from "./launch.ts";
export {
  type ClientDefaults,
  loadPlatformConfig,
  type PlatformConfig,
  platformSections,
  type ServiceName,
} from "./platform-config.ts";
export { EXIT_CONFIG, runMain } from "./run-main.ts";
export { type MigrateSummary, runMigrate } from "./run-migrate.ts";
export {
  type AddComponentOptions,
  type CreateServiceOptions,
  createService,
  type Service,
  type ServiceComponent,
  type ServiceState,
  type StartOptions,
} from "./service.ts";
