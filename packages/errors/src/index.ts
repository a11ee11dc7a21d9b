export {
  causeChain,
  describeChain,
  findInChain,
  innermostPlatformError,
  isRetriable,
} from "./cause-chain.ts";
export { classifyDatabaseError, DatabaseError, type DatabaseErrorCode } from "./database-errors.ts";
export { classifyKafkaError, KafkaClientError, type KafkaErrorCode } from "./kafka-errors.ts";
export { isPlatformError, PlatformError, type PlatformErrorOptions } from "./platform-error.ts";
