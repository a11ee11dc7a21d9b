/**
 * CI gate: every .avsc must stay BACKWARD compatible with its previous committed version
 * (see schema-history.ts for what "previous" means). Exit 1 on any incompatibility.
 *
 * Usage: pnpm schemas:check
 */
import { fileURLToPath } from "node:url";
import { AVRO_DIR } from "./schema-files.ts";
import { checkSchemaHistory } from "./schema-history.ts";

const results = checkSchemaHistory(fileURLToPath(AVRO_DIR));
for (const r of results) {
  if (r.status === "incompatible") {
    console.error(`FAIL ${r.file}: not BACKWARD compatible with its previous committed version: ${r.reason}`);
  } else {
    console.log(
      `ok   ${r.file}: ${r.status === "new" ? "no earlier committed version" : "BACKWARD compatible"}`,
    );
  }
}
if (results.some((r) => r.status === "incompatible")) process.exit(1);
