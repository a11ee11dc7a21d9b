import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { prismaCliPath } from "../paths.ts";

const execFileAsync = promisify(execFile);
const dumpGenerator = join(dirname(fileURLToPath(import.meta.url)), "dmmf-dump.generator.mjs");

/** The parts of Prisma's DMMF (datamodel) the drift check reads. */
export interface DmmfField {
  name: string;
  dbName?: string | null;
  kind: "scalar" | "object" | "enum" | "unsupported";
  isList: boolean;
  isRequired: boolean;
  isId: boolean;
  isUnique: boolean;
  isUpdatedAt: boolean;
  hasDefaultValue: boolean;
  type: string;
  nativeType?: [string, string[]] | null;
  default?: unknown;
  relationName?: string;
  relationFromFields?: string[];
  relationToFields?: string[];
  relationOnDelete?: string;
  relationOnUpdate?: string;
}

export interface DmmfModel {
  name: string;
  dbName: string | null;
  fields: DmmfField[];
  primaryKey: { name: string | null; fields: string[] } | null;
}

export interface DmmfIndex {
  model: string;
  type: "id" | "unique" | "normal" | "fulltext";
  isDefinedOnField: boolean;
  name?: string;
  dbName?: string;
  fields: Array<{ name: string; sortOrder?: "asc" | "desc" }>;
}

export interface DmmfEnum {
  name: string;
  dbName?: string | null;
  values: Array<{ name: string; dbName: string | null }>;
}

export interface Dmmf {
  models: DmmfModel[];
  enums: DmmfEnum[];
  indexes: DmmfIndex[];
}

/**
 * Parses a Prisma schema with Prisma's own parser and returns its DMMF. Runs `prisma generate` on a
 * copy whose generator blocks are replaced by a DMMF dump generator. Offline: generate only needs
 * PRISMA_SCHEMA_ENGINE_BINARY to name an existing file; it points at the (non-executable) schema copy so
 * any attempt to actually run a schema engine fails loudly instead of silently doing nothing.
 */
export async function loadDmmf(schemaText: string): Promise<Dmmf> {
  const dir = await mkdtemp(join(tmpdir(), "invoice-dmmf-"));
  try {
    const schemaFile = join(dir, "schema.prisma");
    const generator = `generator dmmf {\n  provider = ${JSON.stringify(`node ${dumpGenerator}`)}\n  output   = "./out"\n}\n`;
    await writeFile(schemaFile, generator + schemaText.replace(/^generator\s+\w+\s*\{[^}]*\}/gm, ""));
    try {
      await execFileAsync(process.execPath, [prismaCliPath(), "generate", "--schema", schemaFile], {
        cwd: dir,
        env: {
          ...process.env,
          PRISMA_SCHEMA_ENGINE_BINARY: schemaFile,
          PRISMA_HIDE_UPDATE_MESSAGE: "1",
          CHECKPOINT_DISABLE: "1",
        },
      });
    } catch (error) {
      const { stdout = "", stderr = "" } = error as { stdout?: string; stderr?: string };
      throw new Error(`Prisma could not parse the schema:\n${stdout}${stderr}`, { cause: error });
    }
    return JSON.parse(await readFile(join(dir, "out", "dmmf.json"), "utf8")) as Dmmf;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
