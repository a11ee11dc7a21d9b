import { createSnowflakeGenerator, type IdGenerator } from "@invoice/ids";
import type { PlatformConfig } from "../platform-config.ts";

/**
 * The service's Snowflake id generator, from the configured worker id (APP_ENV_INVOICE_WORKER_ID).
 * main.ts creates it and hands it to whatever needs ids, so replacing this with a leased worker id
 * (a PostgreSQL advisory-lock lease that refuses to issue ids without a lease) is a one-line change there.
 */
export function createIds(config: Pick<PlatformConfig, "identity">): IdGenerator {
  return createSnowflakeGenerator({ workerId: config.identity.workerId });
}
