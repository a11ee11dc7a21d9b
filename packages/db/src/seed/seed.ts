import type pg from "pg";
import { type DbLogger, openSession, silentLogger, useSchema, withMigrateLock } from "../connection.ts";
import { ADMINISTRATIVE_UNITS_SOURCE, administrativeUnits } from "./administrative-units.ts";
import { DEFAULT_CONFIGURATIONS, PERMISSIONS, ROLES, VAT_RATE_POLICIES } from "./reference-data.ts";
import { type UpsertCount, upsertRows } from "./upsert.ts";

export interface SeedSummary {
  administrativeUnitsSource: string;
  administrativeUnits: UpsertCount;
  permissions: UpsertCount;
  roles: UpsertCount;
  rolePermissions: UpsertCount;
  configurations: UpsertCount;
  vatRatePolicies: UpsertCount;
}

const BOTH = { createdAt: true, updatedAt: true };

/**
 * Seeds reference data in one transaction on a session whose search_path is the platform schema
 * (as `migrate` leaves it). Idempotent: a second run inserts and updates nothing.
 */
export async function runSeed(
  client: pg.ClientBase,
  { logger = silentLogger }: { logger?: DbLogger } = {},
): Promise<SeedSummary> {
  await client.query("BEGIN");
  try {
    const summary: SeedSummary = {
      administrativeUnitsSource: ADMINISTRATIVE_UNITS_SOURCE,
      administrativeUnits: await upsertRows(
        client,
        {
          table: "AdministrativeUnit",
          key: ["code"],
          columns: [
            { name: "code", jsonType: "text" },
            { name: "name", jsonType: "text" },
            { name: "level", jsonType: "text", cast: '"AdministrativeLevel"' },
            { name: "unitType", jsonType: "text" },
            { name: "shortCode", jsonType: "text" },
            { name: "parentCode", jsonType: "text" },
            { name: "source", jsonType: "text" },
            { name: "effectiveFrom", jsonType: "text", cast: "date" },
          ],
          onConflict: "update",
          timestamps: BOTH,
        },
        administrativeUnits(),
      ),
      permissions: await upsertRows(
        client,
        {
          table: "Permission",
          key: ["code"],
          columns: [
            { name: "code", jsonType: "text" },
            { name: "description", jsonType: "text" },
          ],
          onConflict: "update",
          timestamps: BOTH,
        },
        [...PERMISSIONS],
      ),
      roles: await upsertRows(
        client,
        {
          table: "Role",
          key: ["code"],
          columns: [
            { name: "code", jsonType: "text" },
            { name: "name", jsonType: "text" },
            { name: "description", jsonType: "text" },
          ],
          onConflict: "update",
          timestamps: BOTH,
        },
        ROLES.map(({ code, name, description }) => ({ code, name, description })),
      ),
      // Grants are only added: an operator's extra grant survives re-seeding.
      rolePermissions: await upsertRows(
        client,
        {
          table: "RolePermission",
          key: ["roleCode", "permissionCode"],
          columns: [
            { name: "roleCode", jsonType: "text" },
            { name: "permissionCode", jsonType: "text" },
          ],
          onConflict: "nothing",
          timestamps: { createdAt: true, updatedAt: false },
        },
        ROLES.flatMap((role) =>
          role.permissions.map((permissionCode) => ({ roleCode: role.code, permissionCode })),
        ),
      ),
      configurations: await upsertRows(
        client,
        {
          table: "Configuration",
          key: ["key"],
          columns: [
            { name: "key", jsonType: "text" },
            { name: "value", jsonType: "jsonb" },
            { name: "description", jsonType: "text" },
          ],
          onConflict: "nothing",
          timestamps: BOTH,
        },
        [...DEFAULT_CONFIGURATIONS],
      ),
      vatRatePolicies: await upsertRows(
        client,
        {
          table: "VatRatePolicy",
          key: ["code", "validFrom"],
          columns: [
            { name: "code", jsonType: "text" },
            { name: "validFrom", jsonType: "text", cast: "date" },
            { name: "validTo", jsonType: "text", cast: "date" },
            { name: "rateBasisPoints", jsonType: "integer" },
            { name: "providerTaxPercentage", jsonType: "text" },
            { name: "eligibility", jsonType: "text" },
            { name: "legalBasis", jsonType: "text" },
            { name: "description", jsonType: "text" },
          ],
          onConflict: "update",
          timestamps: BOTH,
        },
        [...VAT_RATE_POLICIES],
      ),
    };
    await client.query("COMMIT");
    logger.info({ ...summary }, "seed applied");
    return summary;
  } catch (error) {
    await client.query("ROLLBACK").catch(() => undefined);
    throw error;
  }
}

/** Seeds an already migrated database on its own (the `seed` script); `migrate` seeds by itself. */
export async function seed(options: {
  databaseUrl: string;
  logger?: DbLogger;
  lockTimeoutMs?: number;
}): Promise<SeedSummary> {
  const { client, schema } = await openSession(options.databaseUrl);
  try {
    return await withMigrateLock(client, options.lockTimeoutMs ?? 60_000, async () => {
      await useSchema(client, schema);
      return runSeed(client, options.logger ? { logger: options.logger } : {});
    });
  } finally {
    await client.end();
  }
}
