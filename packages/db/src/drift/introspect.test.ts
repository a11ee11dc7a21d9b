import { describe, expect, it } from "vitest";
import { parseColumnDefault } from "./introspect.ts";

describe("parseColumnDefault", () => {
  it.each([
    [null, null],
    ["CURRENT_TIMESTAMP", { kind: "now" }],
    ["now()", { kind: "now" }],
    [`nextval('"Thing_id_seq"'::regclass)`, { kind: "sequence" }],
    ["'VND'::character varying", { kind: "literal", value: "VND" }],
    [`'OPEN'::"ClaimStatus"`, { kind: "literal", value: "OPEN" }],
    ["'{}'::jsonb", { kind: "literal", value: "{}" }],
    ["'it''s'::text", { kind: "literal", value: "it's" }],
    ["0", { kind: "literal", value: "0" }],
    ["'-1'::integer", { kind: "literal", value: "-1" }],
    ["(-5)", { kind: "literal", value: "-5" }],
    ["false", { kind: "literal", value: "false" }],
    ["ARRAY[]::text[]", { kind: "literal", value: "[]" }],
    ["gen_random_uuid()", { kind: "expression", sql: "gen_random_uuid()" }],
  ])("reads %s", (expression, expected) => {
    expect(parseColumnDefault(expression)).toEqual(expected);
  });
});
