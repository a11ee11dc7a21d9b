import { createRequire } from "node:module";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));

/** The repository's `prisma/` folder: schema.prisma and migrations/ (DESIGN.md section 2 layout). */
export const prismaDir = resolve(here, "../../../prisma");
export const schemaPath = join(prismaDir, "schema.prisma");
export const migrationsDir = join(prismaDir, "migrations");
export const packageDir = resolve(here, "..");

/** Entry point of the Prisma CLI installed with this package (run with `node`, no shell, no npx). */
export function prismaCliPath(): string {
  const require = createRequire(import.meta.url);
  return join(dirname(require.resolve("prisma/package.json")), "build/index.js");
}
