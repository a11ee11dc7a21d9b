import type { SchemaHistoryResult, SchemaHistoryStatus } from "./schema-history.ts";

export interface ReportLine {
  level: "ok" | "warn" | "fail";
  text: string;
}

export interface SchemaHistoryReport {
  lines: ReportLine[];
  exitCode: 0 | 1;
}

/**
 * Statuses that let CI pass. Listed instead of the failing ones so that a status added later fails
 * the gate until someone decides otherwise. "unverified" passes because a shallow clone is a CI
 * setting the check cannot fix; it is reported loudly instead.
 */
const PASSING: ReadonlySet<SchemaHistoryStatus> = new Set(["new", "compatible", "unverified"]);

function lineFor(r: SchemaHistoryResult): ReportLine {
  switch (r.status) {
    case "new":
      return { level: "ok", text: `ok   ${r.file}: no earlier committed version` };
    case "compatible":
      return { level: "ok", text: `ok   ${r.file}: BACKWARD compatible` };
    case "unverified":
      return { level: "warn", text: `WARN ${r.file}: NOT VERIFIED: ${r.reason}` };
    case "incompatible":
      return {
        level: "fail",
        text: `FAIL ${r.file}: not BACKWARD compatible with its previous committed version: ${r.reason}`,
      };
    default:
      return { level: "fail", text: `FAIL ${r.file}: could not be checked: ${r.reason}` };
  }
}

/** What the CI gate prints and its exit code (1 unless every file passed). */
export function schemaHistoryReport(results: SchemaHistoryResult[]): SchemaHistoryReport {
  if (results.length === 0) {
    return {
      lines: [{ level: "fail", text: "FAIL no .avsc files found: nothing was checked" }],
      exitCode: 1,
    };
  }
  const lines = results.map(lineFor);
  const unverified = results.filter((r) => r.status === "unverified").length;
  if (unverified > 0) {
    lines.push({
      level: "warn",
      text:
        `WARN ${unverified} of ${results.length} schema files were NOT checked for BACKWARD compatibility ` +
        "(shallow clone); an incompatible change would reach the registry unchecked",
    });
  }
  return { lines, exitCode: results.every((r) => PASSING.has(r.status)) ? 0 : 1 };
}
