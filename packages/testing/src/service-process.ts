import { type ChildProcess, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { waitFor } from "./wait-for.ts";

const REPO_ROOT = fileURLToPath(new URL("../../../", import.meta.url));

export interface ServiceProcess {
  child: ChildProcess;
  /** Every stdout line (pino JSON) parsed, or as text when not JSON. */
  logs: Array<Record<string, unknown>>;
  stderr(): string;
  /** Resolves with the exit code (or the signal name) once the process has ended. */
  exited: Promise<number | string>;
  /**
   * The HTTP port from the "service started" log line, waiting up to `timeoutMs` (60 s). A consuming
   * service logs it after its consumer group join, which waits out a dead member's session.
   */
  port(timeoutMs?: number): Promise<number>;
  stop(signal?: NodeJS.Signals): Promise<number | string>;
}

/**
 * Runs a service's real main.ts (the way the main job does) as a child process, so tests see exactly
 * what an operator sees: exit codes, stderr, JSON logs, HTTP endpoints.
 */
export function startServiceProcess(
  service: string,
  args: string[],
  env: Record<string, string>,
): ServiceProcess {
  const child = spawn(process.execPath, ["--import", "tsx", `services/${service}/src/main.ts`, ...args], {
    cwd: REPO_ROOT,
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", LOG_LEVEL: "info", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const logs: Array<Record<string, unknown>> = [];
  let stderr = "";
  let pending = "";
  child.stdout?.setEncoding("utf8").on("data", (chunk: string) => {
    pending += chunk;
    const lines = pending.split("\n");
    pending = lines.pop() ?? "";
    for (const line of lines) {
      if (!line.trim()) continue;
      try {
        logs.push(JSON.parse(line) as Record<string, unknown>);
      } catch {
        logs.push({ text: line });
      }
    }
  });
  child.stderr?.setEncoding("utf8").on("data", (chunk: string) => {
    stderr += chunk;
  });
  const exited = new Promise<number | string>((resolve) => {
    child.once("exit", (code, signal) => resolve(code ?? signal ?? "unknown"));
  });
  let exitedAlready = false;
  void exited.then(() => {
    exitedAlready = true;
  });

  return {
    child,
    logs,
    stderr: () => stderr,
    exited,
    port: (timeoutMs = 60_000) =>
      waitFor(
        () => {
          if (exitedAlready) throw new Error(`${service} exited before listening: ${stderr}`);
          const started = logs.find((l) => l.msg === "service started");
          return typeof started?.port === "number" ? started.port : undefined;
        },
        { timeoutMs, description: `${service} to listen` },
      ),
    async stop(signal = "SIGTERM") {
      if (!exitedAlready) child.kill(signal);
      return exited;
    },
  };
}
