import { describe, expect, it } from "vitest";
import { DEFAULT_CONFIGURATIONS, PERMISSIONS, ROLES, VAT_RATE_POLICIES } from "./reference-data.ts";

describe("reference data", () => {
  it("grants only permissions that exist, without duplicates", () => {
    const codes = new Set(PERMISSIONS.map((p) => p.code));
    expect(codes.size).toBe(PERMISSIONS.length);
    for (const role of ROLES) {
      expect(new Set(role.permissions).size, role.code).toBe(role.permissions.length);
      for (const permission of role.permissions)
        expect(codes.has(permission), `${role.code}: ${permission}`).toBe(true);
    }
  });

  it("keeps one VAT policy per code and start date, rates only where the code has one", () => {
    expect(new Set(VAT_RATE_POLICIES.map((p) => `${p.code}@${p.validFrom}`)).size).toBe(
      VAT_RATE_POLICIES.length,
    );
    for (const policy of VAT_RATE_POLICIES) {
      expect(policy.rateBasisPoints === null, policy.code).toBe(
        policy.code === "KCT" || policy.code === "KKKNT",
      );
      if (policy.validTo) expect(policy.validTo >= policy.validFrom).toBe(true);
    }
    expect(VAT_RATE_POLICIES.find((p) => p.code === "8")).toMatchObject({
      validFrom: "2025-07-01",
      validTo: "2026-12-31",
      rateBasisPoints: 800,
    });
  });

  it("seeds no secrets", () => {
    for (const config of DEFAULT_CONFIGURATIONS)
      expect(config.key).not.toMatch(/secret|password|token$|key$/i);
  });
});
