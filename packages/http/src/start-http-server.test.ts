import { Agent, request } from "node:http";
import { describe, expect, it } from "vitest";
import { startHttpServer } from "./start-http-server.ts";

interface Reply {
  status: number;
  connection: string | undefined;
  body: string;
}

function get(port: number, path: string, agent: Agent): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request({ host: "127.0.0.1", port, path, agent }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => {
        body += chunk;
      });
      res.on("end", () => resolve({ status: res.statusCode ?? 0, connection: res.headers.connection, body }));
    });
    req.on("error", reject);
    req.end();
  });
}

/** A bare listener: startHttpServer takes any request listener, the express app included. */
function app(gate?: Promise<void>) {
  return (req: import("node:http").IncomingMessage, res: import("node:http").ServerResponse) => {
    if (req.url === "/slow" && gate) {
      void gate.then(() => res.end("slow done"));
      return;
    }
    res.end("ok");
  };
}

describe("startHttpServer", () => {
  it("listens on an ephemeral port and reports it", async () => {
    const running = await startHttpServer(app(), { port: 0, host: "127.0.0.1" });
    try {
      expect(running.port).toBeGreaterThan(0);
      const agent = new Agent();
      expect((await get(running.port, "/", agent)).body).toBe("ok");
      agent.destroy();
    } finally {
      await running.close();
    }
  });

  it("rejects when the port is taken", async () => {
    const first = await startHttpServer(app(), { port: 0, host: "127.0.0.1" });
    try {
      await expect(startHttpServer(app(), { port: first.port, host: "127.0.0.1" })).rejects.toMatchObject({
        code: "EADDRINUSE",
      });
    } finally {
      await first.close();
    }
  });

  it("closes idle keep-alive connections instead of waiting for their timeout", async () => {
    // With a 60 s keep-alive timeout, close() would hang past the test timeout if idle sockets were kept.
    const running = await startHttpServer(app(), { port: 0, host: "127.0.0.1", keepAliveTimeoutMs: 60_000 });
    const agent = new Agent({ keepAlive: true });
    await get(running.port, "/", agent);
    expect(running.server.listening).toBe(true);
    await running.close();
    expect(running.server.listening).toBe(false);
    agent.destroy();
  });

  it("lets an in-flight request finish with Connection: close, then resolves and refuses new connections", async () => {
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const running = await startHttpServer(app(gate), {
      port: 0,
      host: "127.0.0.1",
      keepAliveTimeoutMs: 60_000,
    });
    const agent = new Agent({ keepAlive: true });
    const slow = get(running.port, "/slow", agent);
    // The request is in flight once the server has a connection for it.
    await new Promise<void>((resolve) => running.server.once("request", () => resolve()));

    let closed = false;
    const closing = running.close().then(() => {
      closed = true;
    });
    await new Promise((resolve) => setImmediate(resolve));
    expect(closed).toBe(false);

    release();
    const reply = await slow;
    expect(reply).toEqual({ status: 200, connection: "close", body: "slow done" });
    await closing;
    expect(closed).toBe(true);
    await expect(get(running.port, "/", new Agent())).rejects.toMatchObject({ code: "ECONNREFUSED" });
    agent.destroy();
  });

  it("is idempotent", async () => {
    const running = await startHttpServer(app(), { port: 0, host: "127.0.0.1" });
    const first = running.close();
    expect(running.close()).toBe(first);
    await first;
    await running.close();
  });

  it("cuts requests that are still running after forceCloseAfterMs", async () => {
    const never = new Promise<void>(() => undefined);
    const running = await startHttpServer(app(never), { port: 0, host: "127.0.0.1", forceCloseAfterMs: 50 });
    const agent = new Agent({ keepAlive: true });
    const hung = get(running.port, "/slow", agent);
    await new Promise<void>((resolve) => running.server.once("request", () => resolve()));
    await running.close();
    await expect(hung).rejects.toMatchObject({ code: "ECONNRESET" });
    agent.destroy();
  });
});
