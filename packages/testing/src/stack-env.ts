/** Addresses of the local stack (stack/stack.sh), overridable through the same variables CI sets. */
export interface StackEnv {
  kafkaBrokers: string[];
  schemaRegistryUrl: string;
  databaseUrl: string;
  redisUrl: string;
}

export function stackEnv(env: NodeJS.ProcessEnv = process.env): StackEnv {
  return {
    kafkaBrokers: (env.KAFKA_BROKERS ?? "127.0.0.1:9092").split(",").map((b) => b.trim()),
    schemaRegistryUrl: env.SCHEMA_REGISTRY_URL ?? "http://127.0.0.1:8081/apis/ccompat/v7",
    databaseUrl: env.DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/invoice_test",
    redisUrl: env.REDIS_URL ?? "redis://127.0.0.1:6379",
  };
}
