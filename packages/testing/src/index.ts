export { freePort } from "./free-port.ts";
export { runKafkaTool } from "./kafka-tool.ts";
export { type PrivateRedis, startPrivateRedis } from "./private-redis.ts";
export { propertyRuns } from "./property-runs.ts";
export { type ServiceProcess, startServiceProcess } from "./service-process.ts";
export { type StackEnv, stackEnv } from "./stack-env.ts";
export { uniqueName } from "./unique-name.ts";
export { waitFor } from "./wait-for.ts";
