/**
 * The registry's own verdict on the schemas' history, not only avsc's: every committed version of
 * each .avsc (oldest first), then the working copy, registers on a fresh subject under BACKWARD, as
 * the platform's subjects will have seen them over time. Unique subjects: the platform's own are
 * never touched.
 */
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { createAvroCodec } from "@invoice/kafka";
import { stackEnv, uniqueName } from "@invoice/testing";
import { describe, expect, it } from "vitest";
import { AVRO_DIR, SCHEMA_NAMES } from "../src/schema-files.ts";

const dir = fileURLToPath(AVRO_DIR);
const git = (args: string[]) => execFileSync("git", args, { cwd: dir, encoding: "utf8" });

/** The file's committed versions, oldest first, then the working copy (consecutive repeats dropped). */
function history(file: string): string[] {
  const commits = git(["log", "--reverse", "--format=%H", "--diff-filter=ACMRT", "--", file])
    .split("\n")
    .filter(Boolean);
  const versions = commits.map((c) => git(["show", `${c}:./${file}`]));
  versions.push(readFileSync(`${dir}/${file}`, "utf8"));
  return versions.filter((v, i) => i === 0 || v !== versions[i - 1]);
}

describe("the schemas' history against the registry on the stack", () => {
  it.each(SCHEMA_NAMES.map((name) => [name]))(
    "%s: every version registers after the one before it",
    async (name) => {
      const codec = createAvroCodec({ url: stackEnv().schemaRegistryUrl });
      const subject = `${uniqueName(`history.${name}`)}-value`;
      await codec.setCompatibility(subject, "BACKWARD");
      const ids: number[] = [];
      for (const version of history(`${name}.avsc`))
        ids.push(await codec.register(subject, JSON.parse(version)));
      // A version the registry finds incompatible is refused (409) and register throws; a version that
      // only changed docs comes back under the id of the one before it.
      expect(ids.length).toBeGreaterThan(0);
      expect(ids.every((id) => Number.isInteger(id) && id > 0)).toBe(true);
    },
  );
});
