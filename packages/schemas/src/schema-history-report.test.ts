import { describe, expect, it } from "vitest";
import type { SchemaHistoryResult } from "./schema-history.ts";
import { schemaHistoryReport } from "./schema-history-report.ts";

const ok: SchemaHistoryResult[] = [
  { file: "a.avsc", status: "new" },
  { file: "b.avsc", status: "compatible" },
];

describe("schemaHistoryReport (the CI gate's verdict)", () => {
  it("passes when every file is new or compatible", () => {
    const report = schemaHistoryReport(ok);
    expect(report.exitCode).toBe(0);
    expect(report.lines.map((l) => l.level)).toEqual(["ok", "ok"]);
  });

  it("passes a shallow clone's unverified files but warns loudly, per file and in a summary", () => {
    const report = schemaHistoryReport([
      ...ok,
      { file: "c.avsc", status: "unverified", reason: "this is a shallow clone" },
    ]);
    expect(report.exitCode).toBe(0);
    const warnings = report.lines.filter((l) => l.level === "warn").map((l) => l.text);
    expect(warnings).toHaveLength(2);
    expect(warnings[0]).toMatch(/^WARN c\.avsc: NOT VERIFIED: this is a shallow clone/);
    expect(warnings[1]).toMatch(/^WARN 1 of 3 schema files were NOT checked/);
  });

  it.each([
    ["incompatible", /^FAIL x\.avsc: not BACKWARD compatible .*: why/],
    ["error", /^FAIL x\.avsc: could not be checked: why/],
  ] as const)("fails on %s", (status, text) => {
    const report = schemaHistoryReport([...ok, { file: "x.avsc", status, reason: "why" }]);
    expect(report.exitCode).toBe(1);
    expect(report.lines.at(-1)).toEqual({ level: "fail", text: expect.stringMatching(text) });
  });

  it("fails when there was nothing to check", () => {
    expect(schemaHistoryReport([]).exitCode).toBe(1);
  });
});
