import { describe, expect, it } from "vitest";
import { checkBackwardCompatible } from "./compatibility.ts";
import { loadSchema, SCHEMA_NAMES } from "./schema-files.ts";

const base = {
  type: "record",
  name: "R",
  fields: [
    { name: "a", type: "string" },
    { name: "kind", type: { type: "enum", name: "K", symbols: ["X", "Y"] } },
  ],
};
const withFields = (fields: object[]) => ({ ...base, fields });

describe("checkBackwardCompatible", () => {
  it("accepts every committed schema against itself", () => {
    for (const name of SCHEMA_NAMES)
      expect(checkBackwardCompatible(loadSchema(name), loadSchema(name))).toEqual({ ok: true });
  });

  it("accepts a new optional field with a default", () => {
    const next = withFields([...base.fields, { name: "b", type: ["null", "string"], default: null }]);
    expect(checkBackwardCompatible(next, base).ok).toBe(true);
  });

  it("accepts removing a field (new readers ignore it)", () => {
    expect(checkBackwardCompatible(withFields([base.fields[1] as object]), base).ok).toBe(true);
  });

  it("accepts adding an enum symbol", () => {
    const next = withFields([
      base.fields[0] as object,
      { name: "kind", type: { type: "enum", name: "K", symbols: ["X", "Y", "Z"] } },
    ]);
    expect(checkBackwardCompatible(next, base).ok).toBe(true);
  });

  it("rejects a new required field without a default", () => {
    const result = checkBackwardCompatible(withFields([...base.fields, { name: "b", type: "string" }]), base);
    expect(result.ok).toBe(false);
  });

  it("rejects changing a field's type", () => {
    const next = withFields([{ name: "a", type: "long" }, base.fields[1] as object]);
    expect(checkBackwardCompatible(next, base).ok).toBe(false);
  });

  it("rejects removing an enum symbol old data may hold, when there is no enum default", () => {
    const next = withFields([
      base.fields[0] as object,
      { name: "kind", type: { type: "enum", name: "K", symbols: ["X"] } },
    ]);
    expect(checkBackwardCompatible(next, base).ok).toBe(false);
  });

  it("reports an invalid schema instead of throwing", () => {
    const result = checkBackwardCompatible(
      { type: "record", name: "R", fields: [{ name: "a", type: "nope" }] },
      base,
    );
    expect(result).toMatchObject({ ok: false });
  });
});
