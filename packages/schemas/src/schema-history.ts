import { spawnSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { checkBackwardCompatible } from "./compatibility.ts";

/**
 * - new: the file has no earlier committed version (never committed, or committed once unchanged);
 * - compatible / incompatible: compared with its previous committed version;
 * - unverified: a shallow clone cut the history off before a previous version could be found;
 * - error: git (or the file) could not be read; the gate must fail, never guess "new".
 */
export type SchemaHistoryStatus = "new" | "compatible" | "incompatible" | "unverified" | "error";

export interface SchemaHistoryResult {
  file: string;
  status: SchemaHistoryStatus;
  reason?: string;
}

class GitError extends Error {
  override readonly name = "GitError";
}

interface GitRun {
  status: number | null;
  stdout: string;
  stderr: string;
}

function runGit(args: string[], cwd: string): GitRun {
  const run = spawnSync("git", args, { cwd, encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
  if (run.error) {
    const code = (run.error as NodeJS.ErrnoException).code;
    throw new GitError(
      code === "ENOENT" ? "git is not installed or not on PATH" : `git ${args[0]}: ${run.error.message}`,
    );
  }
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

function git(args: string[], cwd: string): string {
  const run = runGit(args, cwd);
  if (run.status !== 0) {
    const detail = run.stderr.trim() || `exit status ${run.status}`;
    throw new GitError(`git ${args.join(" ")} failed in ${cwd}: ${detail}`);
  }
  return run.stdout;
}

interface Repository {
  /** False for a repository whose branch has no commit yet: then no file has committed history. */
  hasCommits: boolean;
  /** Commits whose parents a shallow clone left out; undefined in a full clone. */
  shallowBoundaries: Set<string> | undefined;
}

function inspectRepository(dir: string): Repository {
  const shallowAnswer = git(["rev-parse", "--is-shallow-repository"], dir).trim();
  // A git too old for the flag echoes it back instead of answering.
  if (shallowAnswer !== "true" && shallowAnswer !== "false") {
    throw new GitError(`cannot tell whether ${dir} is a shallow clone (git answered "${shallowAnswer}")`);
  }
  // Exit 1 without a message is git's explicit "HEAD names no commit yet"; anything else is a failure.
  const head = runGit(["rev-parse", "--verify", "--quiet", "HEAD^{commit}"], dir);
  if (head.status !== 0 && (head.status !== 1 || head.stderr.trim() !== "")) {
    throw new GitError(
      `git rev-parse HEAD failed in ${dir}: ${head.stderr.trim() || `exit status ${head.status}`}`,
    );
  }
  let shallowBoundaries: Set<string> | undefined;
  if (shallowAnswer === "true") {
    const shallowFile = resolve(dir, git(["rev-parse", "--git-path", "shallow"], dir).trim());
    shallowBoundaries = new Set(readFileSync(shallowFile, "utf8").split("\n").filter(Boolean));
  }
  return { hasCommits: head.status === 0, shallowBoundaries };
}

type Previous = { kind: "found"; content: string } | { kind: "none" } | { kind: "truncated" };

/**
 * The newest committed content of `file` that differs from `current`: with uncommitted edits that
 * is HEAD's copy; on a clean checkout, the copy before the commit that last changed the file.
 */
function previousVersion(repository: Repository, dir: string, file: string, current: string): Previous {
  if (!repository.hasCommits) return { kind: "none" };
  // Deletions are skipped: the file does not exist in those commits, and the registry still holds
  // the version from before the deletion. (Listed filter, not `d`: git 2.39 returns no commit at
  // all for `--diff-filter=d` here.)
  const commits = git(["log", "--format=%H", "--diff-filter=ACMRT", "--", file], dir)
    .split("\n")
    .filter(Boolean);
  for (const commit of commits) {
    const content = git(["show", `${commit}:./${file}`], dir);
    if (content !== current) return { kind: "found", content };
  }
  // In a shallow clone the oldest commit we can see may only look like the file's first one.
  const oldest = commits.at(-1);
  if (oldest !== undefined && repository.shallowBoundaries?.has(oldest)) return { kind: "truncated" };
  return { kind: "none" };
}

const UNVERIFIED_REASON =
  "this is a shallow clone and the file's previous version lies beyond its history; fetch the full " +
  "history (git fetch --unshallow, or fetch-depth: 0 in CI) to check BACKWARD compatibility";

function checkFile(repository: Repository, dir: string, file: string): SchemaHistoryResult {
  const current = readFileSync(join(dir, file), "utf8");
  const previous = previousVersion(repository, dir, file, current);
  if (previous.kind === "truncated") return { file, status: "unverified", reason: UNVERIFIED_REASON };
  const schema = parseJson(current, "the working copy");
  if (previous.kind === "none") return { file, status: "new" };
  const result = checkBackwardCompatible(
    schema,
    parseJson(previous.content, "the previous committed version"),
  );
  return result.ok ? { file, status: "compatible" } : { file, status: "incompatible", reason: result.reason };
}

function parseJson(text: string, what: string): object {
  try {
    return JSON.parse(text) as object;
  } catch (error) {
    throw new Error(`${what} is not valid JSON: ${(error as Error).message}`);
  }
}

/** Checks every .avsc in `dir` against its previous committed version (BACKWARD). */
export function checkSchemaHistory(dir: string): SchemaHistoryResult[] {
  const files = readdirSync(dir)
    .filter((f) => f.endsWith(".avsc"))
    .sort();
  let repository: Repository;
  try {
    repository = inspectRepository(dir);
  } catch (error) {
    const reason = (error as Error).message;
    return files.map((file) => ({ file, status: "error", reason }));
  }
  return files.map((file) => {
    try {
      return checkFile(repository, dir, file);
    } catch (error) {
      return { file, status: "error", reason: (error as Error).message };
    }
  });
}
