#!/usr/bin/env -S node --import tsx
/**
 * Runs the SInvoice simulator until SIGINT/SIGTERM.
 *
 *   pnpm --filter @invoice/provider-simulator start -- --port 31150 [--host 127.0.0.1] [--config file.json]
 *
 * `--config` is a JSON file with the same shape as PUT /admin/config. Prints one JSON line when it
 * listens (`{"msg":"provider simulator listening",...}`) and one per admin change.
 */
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { startSimulator } from "./server.ts";

const line = (fields: Record<string, unknown>) =>
  console.log(JSON.stringify({ time: new Date().toISOString(), service: "provider-simulator", ...fields }));

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: "string", default: "31150" },
      host: { type: "string", default: "127.0.0.1" },
      config: { type: "string" },
    },
  });
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65_535)
    throw new Error(`--port must be 0-65535, got ${values.port}`);
  const config = values.config ? JSON.parse(readFileSync(values.config, "utf8")) : {};
  const simulator = await startSimulator({ port, host: values.host, config, log: line });
  line({
    msg: "provider simulator listening",
    url: simulator.url,
    baseUrl: simulator.baseUrl,
    authUrl: simulator.authUrl,
  });
  const stop = (signal: string) => {
    line({ msg: "provider simulator stopping", signal });
    simulator.close().then(() => process.exit(0));
  };
  process.once("SIGINT", () => stop("SIGINT"));
  process.once("SIGTERM", () => stop("SIGTERM"));
}

main().catch((error: unknown) => {
  console.error(JSON.stringify({ msg: "provider simulator failed to start", error: String(error) }));
  process.exit(1);
});
