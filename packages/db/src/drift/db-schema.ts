/**
 * A database schema reduced to what Prisma manages, in one shape for both sides of the drift check:
 * the expectation derived from schema.prisma and the introspection of a migrated database.
 */
export type ColumnDefault =
  | { kind: "literal"; value: string }
  | { kind: "now" }
  | { kind: "sequence" }
  | { kind: "expression"; sql: string };

export interface ColumnInfo {
  name: string;
  /** As PostgreSQL's format_type() prints it ("character varying(64)"); enums by type name. */
  type: string;
  nullable: boolean;
  default: ColumnDefault | null;
}

export interface TableInfo {
  name: string;
  columns: ColumnInfo[];
}

export interface IndexInfo {
  name: string;
  table: string;
  /** Column names in key order; descending keys carry a " DESC" suffix. */
  columns: string[];
  unique: boolean;
  primary: boolean;
  /** WHERE clause of a partial index (pg_get_expr), null otherwise. */
  predicate: string | null;
}

export type ReferentialAction = "CASCADE" | "RESTRICT" | "SET NULL" | "SET DEFAULT" | "NO ACTION";

export interface ForeignKeyInfo {
  name: string;
  table: string;
  columns: string[];
  referencedTable: string;
  referencedColumns: string[];
  onDelete: ReferentialAction;
  onUpdate: ReferentialAction;
}

export interface CheckInfo {
  name: string;
  table: string;
  definition: string;
}

export interface EnumInfo {
  name: string;
  values: string[];
}

export interface DbSchema {
  tables: TableInfo[];
  indexes: IndexInfo[];
  foreignKeys: ForeignKeyInfo[];
  checks: CheckInfo[];
  enums: EnumInfo[];
}

export function describeDefault(value: ColumnDefault | null): string {
  if (value === null) return "none";
  switch (value.kind) {
    case "literal":
      return `literal ${JSON.stringify(value.value)}`;
    case "now":
      return "now()";
    case "sequence":
      return "autoincrement()";
    case "expression":
      return `expression ${value.sql}`;
  }
}
