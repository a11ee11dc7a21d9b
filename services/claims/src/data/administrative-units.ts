/**
 * The seeded AdministrativeUnit reference table (34 provinces and 3,321 communes after the 2025
 * reform), held in memory: the page lists provinces on every view and communes on every province
 * choice, and the table changes only with a new seed (a re-seed needs a restart to show here).
 *
 * Failure semantics: `get()` loads on first use and rejects with the database error when PostgreSQL is
 * unreachable; the next call tries again (a failed load is not cached), so start-up never depends on it.
 */
import { Prisma } from "@invoice/db";
import type { AdministrativeUnitRef, AdministrativeUnits } from "../core/claim-form.ts";
import type { ClaimsDatabase } from "./claim-repository.ts";

export interface AdministrativeUnitCatalog extends AdministrativeUnits {
  /** Provinces in Vietnamese alphabetical order. */
  provinces(): readonly AdministrativeUnitRef[];
  /** A province's communes in Vietnamese alphabetical order; empty for an unknown province. */
  communesOf(provinceCode: string): readonly AdministrativeUnitRef[];
}

interface UnitRow {
  code: string;
  name: string;
  level: "PROVINCE" | "COMMUNE";
  parentCode: string | null;
}

const byName = (a: AdministrativeUnitRef, b: AdministrativeUnitRef) => a.name.localeCompare(b.name, "vi");

export function buildCatalog(rows: readonly UnitRow[]): AdministrativeUnitCatalog {
  const provinces = new Map<string, AdministrativeUnitRef>();
  const communes = new Map<string, AdministrativeUnitRef & { provinceCode: string }>();
  const children = new Map<string, AdministrativeUnitRef[]>();
  for (const row of rows) {
    if (row.level === "PROVINCE") provinces.set(row.code, { code: row.code, name: row.name });
    else if (row.parentCode !== null) {
      communes.set(row.code, { code: row.code, name: row.name, provinceCode: row.parentCode });
      const list = children.get(row.parentCode) ?? [];
      list.push({ code: row.code, name: row.name });
      children.set(row.parentCode, list);
    }
  }
  const provinceList = [...provinces.values()].sort(byName);
  for (const list of children.values()) list.sort(byName);
  return {
    province: (code) => provinces.get(code),
    commune: (code) => communes.get(code),
    provinces: () => provinceList,
    communesOf: (code) => children.get(code) ?? [],
  };
}

export function administrativeUnitsLoader({ db, schema }: { db: ClaimsDatabase; schema: string }) {
  let loaded: Promise<AdministrativeUnitCatalog> | undefined;
  const table = Prisma.raw(`"${schema.replaceAll('"', '""')}"."AdministrativeUnit"`);
  return {
    get(): Promise<AdministrativeUnitCatalog> {
      loaded ??= db.$queryRaw<
        UnitRow[]
      >`SELECT "code", "name", "level"::text AS "level", "parentCode" FROM ${table}`
        .then(buildCatalog)
        .catch((error: unknown) => {
          loaded = undefined;
          throw error;
        });
      return loaded;
    },
  };
}

export type AdministrativeUnitsLoader = ReturnType<typeof administrativeUnitsLoader>;
