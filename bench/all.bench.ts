// `pnpm bench all [--small]`: every bench in one go, one after the other (cdc, ingest, limits, issuer at
// 50 ms and 200 ms provider latency, the issuer with 2 and 3 instances, a 10k backlog), each in its own
// process through bench/run.ts. Prints each bench's JSON line as it finishes, then one JSON object
// with all of them. `--small` uses sizes fit for a machine shared with other work (docs/performance.md).
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";

const { values } = parseArgs({ options: { small: { type: "boolean", default: false } } });
const small = values.small;
const dir = fileURLToPath(new URL(".", import.meta.url));

const orders = small ? "500" : "5000";
const runs: Array<{ label: string; args: string[] }> = [
  {
    label: "cdc",
    args: ["cdc", ...(small ? ["--events", "5000", "--merchants", "500", "--latency-samples", "10"] : [])],
  },
  { label: "ingest", args: ["ingest", ...(small ? ["--seconds", "5"] : [])] },
  { label: "limits", args: ["limits", ...(small ? ["--records", "50000", "--orders", "5000"] : [])] },
  { label: "issuer-50ms", args: ["issuer", "--latency-ms", "50", "--orders", orders] },
  { label: "issuer-200ms", args: ["issuer", "--latency-ms", "200", "--orders", orders] },
  {
    label: "issuer-200ms-2-instances",
    args: [
      "issuer",
      "--latency-ms",
      "200",
      "--orders",
      orders,
      "--instances",
      "2",
      "--parts",
      "ours",
      "--pg-limit",
      "false",
    ],
  },
  {
    label: "issuer-200ms-3-instances",
    args: [
      "issuer",
      "--latency-ms",
      "200",
      "--orders",
      orders,
      "--instances",
      "3",
      "--parts",
      "ours",
      "--pg-limit",
      "false",
    ],
  },
  { label: "issuer-backlog", args: ["issuer", "--latency-ms", "50", "--backlog", small ? "2000" : "50000"] },
];

/** Runs one bench; its stderr passes through, its stdout is echoed and its last JSON line returned. */
function run(args: string[]): Promise<{ code: number | null; last: string | undefined }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ["--import", "tsx", `${dir}run.ts`, ...args], {
      stdio: ["ignore", "pipe", "inherit"],
    });
    let out = "";
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
      out += chunk;
      process.stderr.write(chunk);
    });
    child.once("exit", (code) => {
      const last = out
        .trim()
        .split("\n")
        .reverse()
        .find((l) => l.startsWith("{"));
      resolve({ code, last });
    });
  });
}

const results: Record<string, unknown> = {};
let failed = 0;
for (const { label, args } of runs) {
  console.error(`[bench all] ${label}: pnpm bench ${args.join(" ")}`);
  const { code, last } = await run(args);
  if (code !== 0 || !last) {
    failed += 1;
    results[label] = { failed: true, exit: code };
    console.log(JSON.stringify({ bench: label, failed: true, exit: code }));
    continue;
  }
  console.log(last);
  results[label] = JSON.parse(last);
}
console.log(JSON.stringify({ bench: "all", small, failed, results }));
process.exit(failed === 0 ? 0 : 1);
