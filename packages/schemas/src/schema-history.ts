import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { checkBackwardCompatible } from "./compatibility.ts";

export interface SchemaHistoryResult {
  file: string;
  status: "new" | "compatible" | "incompatible";
  reason?: string;
}

function git(args: string[], cwd: string): string {
  return execFileSync("git", args, { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
}

/**
 * The newest committed content of `file` that differs from `current`: with uncommitted edits that
 * is HEAD's copy; on a clean checkout, the copy before the commit that last changed the file.
 */
function previousVersion(dir: string, file: string, current: string): string | undefined {
  let commits: string[];
  try {
    commits = git(["log", "--format=%H", "--", file], dir).split("\n").filter(Boolean);
  } catch {
    return undefined;
  }
  for (const commit of commits) {
    const content = git(["show", `${commit}:./${file}`], dir);
    if (content !== current) return content;
  }
  return undefined;
}

/** Checks every .avsc in `dir` against its previous committed version (BACKWARD). */
export function checkSchemaHistory(dir: string): SchemaHistoryResult[] {
  const files = readdirSync(dir)
    .filter((f) => f.endsWith(".avsc"))
    .sort();
  return files.map((file) => {
    const current = readFileSync(join(dir, file), "utf8");
    const previous = previousVersion(dir, file, current);
    if (previous === undefined) return { file, status: "new" };
    const result = checkBackwardCompatible(JSON.parse(current), JSON.parse(previous));
    return result.ok
      ? { file, status: "compatible" }
      : { file, status: "incompatible", reason: result.reason };
  });
}
