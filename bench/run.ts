// `pnpm bench <name>`: runs bench/<name>.bench.ts in its own Node process (so its peak RSS is its own)
// with the arguments after the name. Benchmarks are run on demand, not as tests (DESIGN.md section 9);
// each prints one JSON object as its last line. docs/performance.md records the figures.
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { fileURLToPath } from "node:url";

const dir = fileURLToPath(new URL(".", import.meta.url));
const [name, ...args] = process.argv.slice(2);
const available = readdirSync(dir)
  .filter((f) => f.endsWith(".bench.ts"))
  .map((f) => f.slice(0, -".bench.ts".length));
if (!name || !existsSync(`${dir}${name}.bench.ts`)) {
  console.error(`usage: pnpm bench <name> [args...]; available: ${available.join(", ") || "none"}`);
  process.exit(2);
}
const result = spawnSync(process.execPath, ["--import", "tsx", `${dir}${name}.bench.ts`, ...args], {
  stdio: "inherit",
});
process.exit(result.status ?? 1);
