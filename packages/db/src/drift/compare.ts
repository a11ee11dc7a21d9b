import type { DbSchema, ForeignKeyInfo, IndexInfo } from "./db-schema.ts";
import { describeDefault } from "./db-schema.ts";
import type { RawSqlAllowlist } from "./raw-sql-allowlist.ts";

const sameList = (a: readonly string[], b: readonly string[]) =>
  a.length === b.length && a.every((value, i) => value === b[i]);

function byName<T extends { name: string }>(items: T[]): Map<string, T> {
  return new Map(items.map((item) => [item.name, item]));
}

function describeIndex(index: IndexInfo): string {
  const kind = index.primary ? "primary key" : index.unique ? "unique index" : "index";
  return `${kind} on ${index.table}(${index.columns.join(", ")})${index.predicate ? ` WHERE ${index.predicate}` : ""}`;
}

function describeForeignKey(fk: ForeignKeyInfo): string {
  return `${fk.table}(${fk.columns.join(", ")}) -> ${fk.referencedTable}(${fk.referencedColumns.join(", ")}) ON DELETE ${fk.onDelete} ON UPDATE ${fk.onUpdate}`;
}

/**
 * Differences between what schema.prisma implies (`expected`) and what the migrations produced
 * (`actual`), one human-readable line each; empty means they agree. Objects in the allowlist must be
 * present in `actual` with the listed shape and are otherwise ignored.
 */
export function compareSchemas(expected: DbSchema, actual: DbSchema, allowlist: RawSqlAllowlist): string[] {
  const problems: string[] = [];

  const actualEnums = byName(actual.enums);
  for (const e of expected.enums) {
    const found = actualEnums.get(e.name);
    if (!found) problems.push(`enum ${e.name}: missing in the migrations`);
    else if (!sameList(e.values, found.values))
      problems.push(
        `enum ${e.name}: values [${found.values.join(", ")}], schema.prisma has [${e.values.join(", ")}]`,
      );
  }
  const expectedEnumNames = new Set(expected.enums.map((e) => e.name));
  for (const e of actual.enums)
    if (!expectedEnumNames.has(e.name))
      problems.push(`enum ${e.name}: created by the migrations, not in schema.prisma`);

  const actualTables = byName(actual.tables);
  for (const table of expected.tables) {
    const found = actualTables.get(table.name);
    if (!found) {
      problems.push(`table ${table.name}: missing in the migrations`);
      continue;
    }
    const actualColumns = byName(found.columns);
    for (const column of table.columns) {
      const where = `column ${table.name}.${column.name}`;
      const got = actualColumns.get(column.name);
      if (!got) {
        problems.push(`${where}: missing in the migrations`);
        continue;
      }
      if (got.type !== column.type)
        problems.push(`${where}: type ${got.type}, schema.prisma says ${column.type}`);
      if (got.nullable !== column.nullable)
        problems.push(
          `${where}: ${got.nullable ? "nullable" : "NOT NULL"}, schema.prisma says ${column.nullable ? "nullable" : "NOT NULL"}`,
        );
      const expectedDefault = describeDefault(column.default);
      const actualDefault = describeDefault(got.default);
      if (expectedDefault !== actualDefault)
        problems.push(`${where}: default ${actualDefault}, schema.prisma says ${expectedDefault}`);
    }
    const expectedColumns = new Set(table.columns.map((c) => c.name));
    for (const column of found.columns)
      if (!expectedColumns.has(column.name))
        problems.push(`column ${table.name}.${column.name}: created by the migrations, not in schema.prisma`);
  }
  const expectedTables = new Set(expected.tables.map((t) => t.name));
  for (const table of actual.tables)
    if (!expectedTables.has(table.name))
      problems.push(`table ${table.name}: created by the migrations, not in schema.prisma`);

  const allowedIndexes = byName(allowlist.partialIndexes);
  const actualIndexes = byName(actual.indexes);
  for (const index of expected.indexes) {
    const found = actualIndexes.get(index.name);
    if (!found) problems.push(`${describeIndex(index)} "${index.name}": missing in the migrations`);
    else if (
      found.table !== index.table ||
      found.unique !== index.unique ||
      found.primary !== index.primary ||
      found.predicate !== null ||
      !sameList(found.columns, index.columns)
    )
      problems.push(
        `"${index.name}": migrations have ${describeIndex(found)}, schema.prisma says ${describeIndex(index)}`,
      );
  }
  const expectedIndexes = new Set(expected.indexes.map((i) => i.name));
  for (const index of actual.indexes) {
    if (expectedIndexes.has(index.name)) continue;
    const allowed = allowedIndexes.get(index.name);
    if (!allowed) {
      problems.push(
        `${describeIndex(index)} "${index.name}": created by the migrations, not in schema.prisma nor in the raw-SQL allowlist`,
      );
      continue;
    }
    const predicate = index.predicate ?? "";
    if (
      index.table !== allowed.table ||
      index.unique !== allowed.unique ||
      !sameList(index.columns, allowed.columns) ||
      !allowed.predicateMentions.every(
        (column) => predicate.includes(`"${column}"`) || predicate.includes(column),
      )
    )
      problems.push(
        `"${index.name}": migrations have ${describeIndex(index)}, which does not match its raw-SQL allowlist entry`,
      );
  }
  for (const allowed of allowlist.partialIndexes)
    if (!actualIndexes.has(allowed.name))
      problems.push(
        `raw-SQL index "${allowed.name}" on ${allowed.table}: in the allowlist but not created by the migrations`,
      );

  const actualForeignKeys = byName(actual.foreignKeys);
  for (const fk of expected.foreignKeys) {
    const found = actualForeignKeys.get(fk.name);
    if (!found)
      problems.push(`foreign key "${fk.name}" ${describeForeignKey(fk)}: missing in the migrations`);
    else if (describeForeignKey(found) !== describeForeignKey(fk))
      problems.push(
        `foreign key "${fk.name}": migrations have ${describeForeignKey(found)}, schema.prisma says ${describeForeignKey(fk)}`,
      );
  }
  const expectedForeignKeys = new Set(expected.foreignKeys.map((fk) => fk.name));
  for (const fk of actual.foreignKeys)
    if (!expectedForeignKeys.has(fk.name))
      problems.push(
        `foreign key "${fk.name}" ${describeForeignKey(fk)}: created by the migrations, not in schema.prisma`,
      );

  const allowedChecks = byName(allowlist.checks);
  const actualChecks = byName(actual.checks);
  for (const check of actual.checks) {
    const allowed = allowedChecks.get(check.name);
    if (!allowed)
      problems.push(
        `check "${check.name}" on ${check.table}: not in the raw-SQL allowlist (${check.definition})`,
      );
    else if (allowed.table !== check.table)
      problems.push(`check "${check.name}": on ${check.table}, the allowlist says ${allowed.table}`);
  }
  for (const allowed of allowlist.checks)
    if (!actualChecks.has(allowed.name))
      problems.push(
        `check "${allowed.name}" on ${allowed.table}: in the allowlist but not created by the migrations`,
      );

  return problems;
}
