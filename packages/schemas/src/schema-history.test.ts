import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { checkSchemaHistory } from "./schema-history.ts";

const v1 = { type: "record", name: "R", fields: [{ name: "a", type: "string" }] };
const v2Compatible = {
  ...v1,
  fields: [...v1.fields, { name: "b", type: ["null", "string"], default: null }],
};
const v2Incompatible = { ...v1, fields: [...v1.fields, { name: "b", type: "string" }] };

describe("checkSchemaHistory (against a real git repository)", () => {
  let root: string;
  let dir: string;
  const gitIn = (cwd: string, ...args: string[]) =>
    execFileSync("git", ["-c", "user.name=t", "-c", "user.email=t@example.invalid", ...args], {
      cwd,
      stdio: "pipe",
    });
  const git = (...args: string[]) => gitIn(dir, ...args);
  const write = (schema: object, file = "r.avsc", into = dir) =>
    writeFileSync(join(into, file), JSON.stringify(schema, null, 2));

  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), "schema-history-"));
    dir = join(root, "origin");
    mkdirSync(dir);
    git("init", "-q");
    write(v1);
    git("add", ".");
    git("commit", "-qm", "v1");
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  /** A `--depth` clone of the origin repository (file:// so git honours the depth). */
  const shallowClone = (depth: number): string => {
    const clone = join(root, `clone-${depth}`);
    gitIn(root, "clone", "-q", "--depth", String(depth), `file://${dir}`, clone);
    expect(gitIn(clone, "rev-parse", "--is-shallow-repository").toString().trim()).toBe("true");
    return clone;
  };

  it("passes an unchanged schema that has no earlier version", () => {
    expect(checkSchemaHistory(dir)).toEqual([{ file: "r.avsc", status: "new" }]);
  });

  it("passes a schema file that was never committed (git log succeeds with no commits)", () => {
    write(v1, "s.avsc");
    expect(checkSchemaHistory(dir)).toEqual([
      { file: "r.avsc", status: "new" },
      { file: "s.avsc", status: "new" },
    ]);
  });

  it("passes a schema in a repository without any commit yet", () => {
    const empty = join(root, "empty");
    mkdirSync(empty);
    gitIn(empty, "init", "-q");
    write(v1, "r.avsc", empty);
    expect(checkSchemaHistory(empty)).toEqual([{ file: "r.avsc", status: "new" }]);
  });

  it("flags an uncommitted incompatible edit", () => {
    write(v2Incompatible);
    const [result] = checkSchemaHistory(dir);
    expect(result?.status).toBe("incompatible");
    expect(result?.reason).toMatch(/b/);
  });

  it("still flags the incompatible change once it is committed (compares with the commit before)", () => {
    write(v2Incompatible);
    git("commit", "-qam", "v2");
    expect(checkSchemaHistory(dir)[0]?.status).toBe("incompatible");
  });

  it("accepts a compatible change, committed or not", () => {
    write(v2Compatible);
    expect(checkSchemaHistory(dir)[0]?.status).toBe("compatible");
    git("commit", "-qam", "v2");
    expect(checkSchemaHistory(dir)[0]?.status).toBe("compatible");
  });

  it("compares with the version before a deletion when a file is deleted and added back", () => {
    git("rm", "-q", "r.avsc");
    git("commit", "-qm", "drop");
    write(v2Incompatible);
    git("add", ".");
    git("commit", "-qm", "back, incompatible");
    expect(checkSchemaHistory(dir)[0]?.status).toBe("incompatible");
  });

  it("fails (status error) outside a git repository instead of calling every file new", () => {
    const plain = join(root, "plain");
    mkdirSync(plain);
    write(v1, "r.avsc", plain);
    const [result] = checkSchemaHistory(plain);
    expect(result?.status).toBe("error");
    expect(result?.reason).toMatch(/not a git repository/);
  });

  it("fails (status error) on a schema file that is not JSON", () => {
    writeFileSync(join(dir, "r.avsc"), "{ not json");
    const [result] = checkSchemaHistory(dir);
    expect(result?.status).toBe("error");
    expect(result?.reason).toMatch(/working copy is not valid JSON/);
  });

  it("reports unverified in a shallow clone that cut off the previous version", () => {
    write(v2Incompatible);
    git("commit", "-qam", "v2");
    const clone = shallowClone(1);
    const [result] = checkSchemaHistory(clone);
    expect(result?.status).toBe("unverified");
    expect(result?.reason).toMatch(/shallow clone/);
  });

  it("still checks in a shallow clone when the previous version is within its history", () => {
    write(v2Incompatible);
    git("commit", "-qam", "v2");
    expect(checkSchemaHistory(shallowClone(2))[0]?.status).toBe("incompatible");

    const clone = shallowClone(1);
    write(v2Compatible, "r.avsc", clone);
    // An uncommitted edit is compared with HEAD's copy, which a depth-1 clone has.
    expect(checkSchemaHistory(clone)[0]?.status).toBe("compatible");
  });

  it("calls a file new in a shallow clone when it was added after the clone's boundary", () => {
    write(v1, "s.avsc");
    git("add", "s.avsc");
    git("commit", "-qm", "add s");
    expect(checkSchemaHistory(shallowClone(2))).toEqual([
      { file: "r.avsc", status: "unverified", reason: expect.stringMatching(/shallow clone/) },
      { file: "s.avsc", status: "new" },
    ]);
  });
});
