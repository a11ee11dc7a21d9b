import { describe, expect, it } from "vitest";
import { scriptShape } from "./migration-script.ts";

describe("scriptShape", () => {
  it.each<[string, string, number, string[]]>([
    [
      "Prisma's usual script",
      '-- CreateTable\nCREATE TABLE "A" ("id" INTEGER);\n\n-- CreateIndex\nCREATE INDEX "A_id_idx" ON "A"("id");\n',
      2,
      [],
    ],
    [
      "one CREATE INDEX CONCURRENTLY",
      '-- CreateIndex\nCREATE INDEX CONCURRENTLY "A_id_idx" ON "A"("id");\n',
      1,
      [],
    ],
    ["its own transaction", 'BEGIN;\nCREATE TABLE "A" ("id" INTEGER);\nCOMMIT;\n', 3, ["BEGIN", "COMMIT"]],
    ["a COMMIT in the middle", 'CREATE TABLE "A" (id int); commit; CREATE TABLE "B" (id int)', 3, ["COMMIT"]],
    ["START TRANSACTION / END", "start transaction; select 1; end", 3, ["START", "END"]],
    [
      "savepoints",
      "SAVEPOINT a; SELECT 1; RELEASE SAVEPOINT a; ROLLBACK TO a",
      4,
      ["SAVEPOINT", "RELEASE", "ROLLBACK"],
    ],
    ["BEGIN inside a DO body", "DO $$ BEGIN PERFORM 1; END $$;\nSELECT 1;", 2, []],
    [
      "BEGIN inside a tagged function body",
      "CREATE FUNCTION f() RETURNS int AS $fn$ BEGIN RETURN 1; END; $fn$ LANGUAGE plpgsql;",
      1,
      [],
    ],
    [
      "keywords and ; in strings and identifiers",
      `INSERT INTO "COMMIT;x" VALUES ('BEGIN; COMMIT;', E'it\\'s; END', 'a''b;c');`,
      1,
      [],
    ],
    [
      "keywords and ; in comments",
      "/* COMMIT; /* nested; BEGIN */ still comment; */ SELECT 1; -- COMMIT;\n",
      1,
      [],
    ],
    ["a prepared statement with a positional parameter", "PREPARE p AS SELECT $1; EXECUTE p(1)", 2, []],
    [
      "two-phase commit",
      "PREPARE TRANSACTION 'x'; COMMIT PREPARED 'x'",
      2,
      ["PREPARE TRANSACTION", "COMMIT"],
    ],
    ["only comments and empty statements", "-- nothing\n;;\n/* here */", 0, []],
  ])("%s", (_name, script, statements, transactionControl) => {
    expect(scriptShape(script)).toEqual({ statements, transactionControl });
  });
});
