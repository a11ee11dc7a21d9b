import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";

const STACK_SCRIPT = fileURLToPath(new URL("../../../stack/stack.sh", import.meta.url));

/**
 * Runs one of Kafka's own Java tools (console producer, transactions command...) with the broker's
 * classpath, so tests can compare our client with the Java client itself.
 */
export function runKafkaTool(
  mainClass: string,
  args: string[],
  options: { input?: string; timeoutMs?: number } = {},
): Promise<{ stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      "bash",
      [STACK_SCRIPT, "kafka-run-class", mainClass, ...args],
      { timeout: options.timeoutMs ?? 60_000, maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) => {
        if (error) {
          reject(new Error(`${mainClass} failed: ${error.message}\n${stderr}`, { cause: error }));
          return;
        }
        resolve({ stdout, stderr });
      },
    );
    child.stdin?.end(options.input ?? "");
  });
}
