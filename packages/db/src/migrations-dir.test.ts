import { describe, expect, it } from "vitest";
import { checksumOf, readMigrations, scriptMatchesChecksum } from "./migrations-dir.ts";
import { migrationsDir } from "./paths.ts";

describe("migration checksums", () => {
  it("are sha256 hex, zero-padded, as Prisma's schema engine writes them", () => {
    // Test vector from prisma-engines' checksum.rs.
    expect(checksumOf("hello")).toBe("2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824");
    expect(checksumOf("abcd")).toHaveLength(64);
  });

  it("match across LF/CRLF checkouts but not across edits", () => {
    const lf = "CREATE TABLE a ();\nCREATE TABLE b ();\n";
    const crlf = lf.replaceAll("\n", "\r\n");
    expect(scriptMatchesChecksum(crlf, checksumOf(lf))).toBe(true);
    expect(scriptMatchesChecksum(lf, checksumOf(crlf))).toBe(true);
    expect(scriptMatchesChecksum(`${lf}-- edit\n`, checksumOf(lf))).toBe(false);
    expect(scriptMatchesChecksum("abc\n", checksumOf("abc"))).toBe(false);
  });
});

describe("the repository's migrations folder", () => {
  it("is a postgresql Prisma folder with timestamp-named migrations in order", async () => {
    const migrations = await readMigrations(migrationsDir);
    expect(migrations.length).toBeGreaterThan(0);
    const names = migrations.map((m) => m.name);
    expect(names).toEqual([...names].sort());
    for (const m of migrations) {
      expect(m.name).toMatch(/^\d{14}_[a-z0-9_]+$/);
      expect(m.checksum).toBe(checksumOf(m.script));
      // Prisma runs each file as it is; our applier wraps it in a transaction itself.
      expect(m.script).not.toMatch(/^\s*(BEGIN|COMMIT)\s*;/im);
    }
  });
});
