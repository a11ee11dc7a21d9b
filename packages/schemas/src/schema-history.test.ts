import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
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
  let dir: string;
  const git = (...args: string[]) =>
    execFileSync("git", ["-c", "user.name=t", "-c", "user.email=t@example.invalid", ...args], { cwd: dir });
  const write = (schema: object) => writeFileSync(join(dir, "r.avsc"), JSON.stringify(schema, null, 2));

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "schema-history-"));
    git("init", "-q");
    write(v1);
    git("add", ".");
    git("commit", "-qm", "v1");
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("passes an unchanged schema that has no earlier version", () => {
    expect(checkSchemaHistory(dir)).toEqual([{ file: "r.avsc", status: "new" }]);
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
});
