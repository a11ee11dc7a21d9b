// `pnpm --filter @invoice/db generate`: generate the Prisma client into src/generated/prisma, offline.
//
// The Prisma CLI wants to download a native schema engine before any command, even `generate`, which
// does not use it. Pointing PRISMA_SCHEMA_ENGINE_BINARY at an existing file satisfies that check; we
// point it at schema.prisma (not executable), so a command that really needed the engine would fail
// loudly rather than "succeed" with empty output as it does with /bin/true.
//
// Skips the work when schema.prisma, the Prisma version and this script are unchanged since the last
// successful run (stamp file in the output folder): `typecheck` and `test` run it every time.
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { packageDir, prismaCliPath, schemaPath } from "./paths.ts";

const outputDir = join(packageDir, "src/generated/prisma");
const stampFile = join(outputDir, ".inputs.sha256");
const prismaVersion = (createRequire(import.meta.url)("prisma/package.json") as { version: string }).version;

const inputsHash = createHash("sha256")
  .update(readFileSync(schemaPath))
  .update(prismaVersion)
  .update(readFileSync(fileURLToPath(import.meta.url)))
  .digest("hex");

const force = process.argv.includes("--force");
const upToDate =
  !force &&
  existsSync(join(outputDir, "client.ts")) &&
  existsSync(stampFile) &&
  readFileSync(stampFile, "utf8").trim() === inputsHash;

if (upToDate) {
  console.log("[generate] Prisma client up to date");
} else {
  const result = spawnSync(process.execPath, [prismaCliPath(), "generate", "--schema", schemaPath], {
    cwd: packageDir,
    stdio: "inherit",
    env: {
      ...process.env,
      PRISMA_SCHEMA_ENGINE_BINARY: process.env.PRISMA_SCHEMA_ENGINE_BINARY ?? schemaPath,
      PRISMA_HIDE_UPDATE_MESSAGE: "1",
      CHECKPOINT_DISABLE: "1",
    },
  });
  if (result.status !== 0) {
    console.error("[generate] prisma generate failed");
    process.exit(result.status ?? 1);
  }
  writeFileSync(stampFile, `${inputsHash}\n`);
}
