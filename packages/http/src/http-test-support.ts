import { createLogger, createMetrics, type Registry } from "@invoice/observability";
import { afterEach } from "vitest";
import { type CreateHttpAppOptions, createHttpApp } from "./create-http-app.ts";
import { type RunningHttpServer, startHttpServer } from "./start-http-server.ts";

export interface TestServer {
  url: string;
  running: RunningHttpServer;
  registry: Registry;
  /** Parsed log lines written so far. */
  logs: () => Record<string, unknown>[];
}

/** Starts the app on an ephemeral port of 127.0.0.1 with captured logs. Test support only. */
export async function startTestApp(options: Partial<CreateHttpAppOptions> = {}): Promise<TestServer> {
  const lines: string[] = [];
  const logger = createLogger({
    service: "test",
    level: "debug",
    destination: { write: (line) => void lines.push(line) },
  });
  const registry = createMetrics({ service: "test", defaultMetrics: false });
  const app = createHttpApp({ logger, metricsRegistry: registry, bodyLimitBytes: 1024, ...options });
  const running = await startHttpServer(app, { port: 0, host: "127.0.0.1" });
  return {
    url: `http://127.0.0.1:${running.port}`,
    running,
    registry,
    logs: () => lines.map((line) => JSON.parse(line) as Record<string, unknown>),
  };
}

/**
 * `start(options)` for a test file: each test's server is closed after it, so a failing assertion
 * never leaves a port open for the next test.
 */
export function useTestApp(): (options?: Partial<CreateHttpAppOptions>) => Promise<TestServer> {
  let current: TestServer | undefined;
  afterEach(async () => {
    await current?.running.close();
    current = undefined;
  });
  return async (options = {}) => {
    current = await startTestApp(options);
    return current;
  };
}

/** Asserts the problem+json media type and returns the parsed body. */
export async function problem(response: Response): Promise<Record<string, unknown>> {
  if (!/^application\/problem\+json/.test(response.headers.get("content-type") ?? "")) {
    throw new Error(`expected application/problem+json, got ${response.headers.get("content-type")}`);
  }
  return (await response.json()) as Record<string, unknown>;
}

/** fetch options for a JSON POST; a string body is sent as is (for malformed JSON). */
export const json = (body: unknown): RequestInit => ({
  method: "POST",
  headers: { "content-type": "application/json" },
  body: typeof body === "string" ? body : JSON.stringify(body),
});
