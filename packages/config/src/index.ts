export {
  type ClaimLinkConfig,
  claimLink,
  claimLinkSection,
  LOCAL_CLAIM_LINK_BASE_URL,
} from "./claim-link.ts";
export { ConfigError, type ConfigIssue } from "./config-error.ts";
export { type CredentialsConfig, credentialsKey, credentialsSection } from "./credentials.ts";
export { describeConfig } from "./describe-config.ts";
export { envSections } from "./env-sections.ts";
export {
  booleanFlag,
  commaList,
  durationMs,
  envField,
  hostPort,
  integer,
  MAX_TIMER_MS,
  nonNegativeInt,
  oneOf,
  type ParseResult,
  port,
  positiveInt,
  secret,
  url,
} from "./fields.ts";
export { type InfrastructureConfig, infrastructureSection, LOCAL_STACK } from "./infrastructure.ts";
export { type Env, loadConfig } from "./load-config.ts";
export {
  APP_ENVS,
  type AppEnv,
  DEFAULT_HTTP_BODY_LIMIT_BYTES,
  DEFAULT_SHUTDOWN_GRACE_MS,
  environmentShape,
  isDeployed,
  isProduction,
  LOG_LEVELS,
  type LogLevel,
  NODE_ENVS,
  type RuntimeConfig,
  refuseContradictoryEnvironment,
  runtimeSection,
} from "./runtime.ts";
export {
  consumerGroupId,
  DEFAULT_SERVICE_CODE,
  DEFAULT_WORKER_ID,
  kafkaClientId,
  SERVICE_DEFAULT_PORTS,
  type ServiceIdentity,
  type ServiceIdentityOptions,
  serviceIdentitySection,
} from "./service-identity.ts";
