/**
 * CI gate: every .avsc must stay BACKWARD compatible with its previous committed version
 * (see schema-history.ts for what "previous" means). Exit 1 on any incompatibility or when git
 * cannot answer; exit 0 with a WARN when a shallow clone hides the previous version.
 *
 * Usage: pnpm schemas:check
 */
import { fileURLToPath } from "node:url";
import { AVRO_DIR } from "./schema-files.ts";
import { checkSchemaHistory } from "./schema-history.ts";
import { schemaHistoryReport } from "./schema-history-report.ts";

const report = schemaHistoryReport(checkSchemaHistory(fileURLToPath(AVRO_DIR)));
for (const line of report.lines) {
  if (line.level === "ok") console.log(line.text);
  else console.error(line.text);
}
process.exit(report.exitCode);
