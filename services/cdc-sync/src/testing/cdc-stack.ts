import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";

const CDC_SCRIPT = fileURLToPath(new URL("../../../../stack/cdc.sh", import.meta.url));

/** Addresses of the CDC stack (stack/cdc.sh), overridable like the rest of the stack's. */
export interface CdcStackEnv {
  /** The commerce stand-in cluster's maintenance database URL. */
  commerceAdminUrl: string;
  commerceHost: string;
  commercePort: number;
  connectUrl: string;
}

export function cdcStackEnv(env: NodeJS.ProcessEnv = process.env): CdcStackEnv {
  const port = Number(env.INVOICE_CDC_PG_PORT ?? 55433);
  return {
    commerceAdminUrl: `postgresql://postgres@127.0.0.1:${port}/postgres`,
    commerceHost: "127.0.0.1",
    commercePort: port,
    connectUrl: `http://127.0.0.1:${env.INVOICE_CDC_CONNECT_PORT ?? 18083}`,
  };
}

function runCdcScript(command: "up" | "down" | "status", timeoutMs: number) {
  return new Promise<{ code: number; output: string }>((resolve) => {
    execFile(
      "bash",
      [CDC_SCRIPT, command],
      { timeout: timeoutMs, maxBuffer: 4 * 1024 * 1024 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === "number" ? error.code : 1) : 0;
        resolve({ code, output: `${stdout}${stderr}` });
      },
    );
  });
}

export async function cdcStackRunning(): Promise<boolean> {
  return (await runCdcScript("status", 30_000)).code === 0;
}

/**
 * Starts the CDC stack unless it runs (stack/cdc.sh up takes a lock and reuses what runs, so test
 * files calling this at once start one Connect between them).
 */
export async function ensureCdcStack(): Promise<void> {
  const { code, output } = await runCdcScript("up", 300_000);
  if (code !== 0) throw new Error(`stack/cdc.sh up failed (exit ${code}):\n${output}`);
}

export async function stopCdcStack(): Promise<void> {
  const { code, output } = await runCdcScript("down", 120_000);
  if (code !== 0) throw new Error(`stack/cdc.sh down failed (exit ${code}):\n${output}`);
}
