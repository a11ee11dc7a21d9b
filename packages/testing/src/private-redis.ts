/**
 * A Redis server of the test's own (never the shared one, which other tests use), so a test can kill
 * and restart it. Like the stack's, it keeps nothing on disk: a restart comes back empty.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { Redis } from "ioredis";
import { freePort } from "./free-port.ts";
import { waitFor } from "./wait-for.ts";

export interface PrivateRedis {
  url: string;
  /** A client like the service's: no offline queue, reconnects by itself. */
  client(): Redis;
  /** SIGKILL: whatever the server held is gone. */
  kill(): Promise<void>;
  /** Starts an empty server on the same port. */
  restart(): Promise<void>;
  /** SIGSTOP: connections stay open and nothing answers (a hung server, a black-holed network). */
  pause(): void;
  /** SIGCONT after `pause()`. */
  resume(): void;
  stop(): Promise<void>;
}

export async function startPrivateRedis(): Promise<PrivateRedis> {
  const port = await freePort();
  let child: ChildProcess | undefined;
  const clients: Redis[] = [];
  const launch = async () => {
    const started = spawn(
      "redis-server",
      ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
      { stdio: "ignore" },
    );
    child = started;
    const probe = new Redis(port, "127.0.0.1", {
      lazyConnect: true,
      maxRetriesPerRequest: 0,
      retryStrategy: () => null,
    });
    probe.on("error", () => undefined);
    await waitFor(
      async () => {
        if (started.exitCode !== null) throw new Error(`redis-server exited with ${started.exitCode}`);
        await probe.connect().catch(() => undefined);
        return (await probe.ping().catch(() => "")) === "PONG";
      },
      { timeoutMs: 20_000, description: "private redis-server to answer" },
    );
    probe.disconnect();
  };
  const kill = async () => {
    const running = child;
    if (!running || running.exitCode !== null || running.signalCode !== null) return;
    const exited = new Promise((resolve) => running.once("exit", resolve));
    running.kill("SIGKILL");
    await exited;
  };
  await launch();
  return {
    url: `redis://127.0.0.1:${port}`,
    client() {
      const client = new Redis(port, "127.0.0.1", {
        enableOfflineQueue: false,
        maxRetriesPerRequest: 1,
        // The platform's REDIS_COMMAND_TIMEOUT_MS default (packages/runtime).
        commandTimeout: 2_000,
        retryStrategy: () => 100,
      });
      client.on("error", () => undefined);
      clients.push(client);
      return client;
    },
    kill,
    restart: launch,
    pause: () => child?.kill("SIGSTOP"),
    resume: () => child?.kill("SIGCONT"),
    async stop() {
      for (const client of clients) client.disconnect();
      child?.kill("SIGCONT");
      await kill();
    },
  };
}
