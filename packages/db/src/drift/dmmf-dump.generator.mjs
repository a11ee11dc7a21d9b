// A Prisma generator that only writes the DMMF (Prisma's own parse of schema.prisma) to
// <output>/dmmf.json. Used by the drift check (./dmmf.ts): the generated client keeps just a stripped
// runtime data model, while a generator receives the full one (native types, defaults, indexes,
// referential actions). Protocol: JSON-RPC requests on stdin, one per line; replies on stderr.
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { createInterface } from "node:readline";

const lines = createInterface({ input: process.stdin, crlfDelay: Number.POSITIVE_INFINITY });

function reply(id, result) {
  process.stderr.write(`${JSON.stringify({ jsonrpc: "2.0", id, result })}\n`);
}

lines.on("line", (line) => {
  const message = JSON.parse(line);
  if (message.method === "getManifest") {
    reply(message.id, { manifest: { prettyName: "DMMF dump", requiresEngines: [] } });
  } else if (message.method === "generate") {
    const output = message.params.generator.output.value;
    mkdirSync(output, { recursive: true });
    writeFileSync(join(output, "dmmf.json"), JSON.stringify(message.params.dmmf.datamodel));
    reply(message.id, null);
  }
});
