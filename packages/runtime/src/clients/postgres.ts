import { createPrismaClient, type PrismaClient } from "@invoice/db";
import type { PlatformConfig } from "../platform-config.ts";
import type { ServiceClient } from "./service-client.ts";

/**
 * The service's Prisma client (PostgreSQL through @prisma/adapter-pg), pool size and connect timeout
 * from config (DATABASE_POOL_MAX, DATABASE_CONNECT_TIMEOUT_MS). Ready means `SELECT 1` answers.
 */
export function createPostgres(
  config: Pick<PlatformConfig, "infrastructure" | "clients">,
): ServiceClient<PrismaClient> {
  const prisma = createPrismaClient({
    databaseUrl: config.infrastructure.databaseUrl,
    maxConnections: config.clients.postgres.maxConnections,
    connectionTimeoutMs: config.clients.postgres.connectionTimeoutMs,
  });
  return {
    name: "postgres",
    client: prisma,
    readinessCheck: async () => {
      await prisma.$queryRawUnsafe("SELECT 1");
    },
    close: () => prisma.$disconnect(),
  };
}
