import { createServer, type RequestListener, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export interface StartHttpServerOptions {
  port: number;
  /** Interface to bind; all interfaces when omitted. */
  host?: string;
  /**
   * After this long, `close()` cuts connections whose requests are still running, so it always resolves.
   * The shutdown manager's budget for the HTTP step should be a little longer. Default 10000.
   */
  forceCloseAfterMs?: number;
  /** Idle keep-alive time; keep it above the load balancer's idle timeout. Default Node's (5000). */
  keepAliveTimeoutMs?: number;
}

export interface RunningHttpServer {
  /** The bound port (useful with port 0). */
  port: number;
  server: Server;
  /**
   * Stops accepting connections, closes idle keep-alive connections at once and busy ones as soon as
   * their response is sent (with `Connection: close`), and resolves when none are left. Idempotent.
   */
  close(): Promise<void>;
}

export async function startHttpServer(
  app: RequestListener,
  options: StartHttpServerOptions,
): Promise<RunningHttpServer> {
  const { port, host, forceCloseAfterMs = 10_000, keepAliveTimeoutMs } = options;
  const server = createServer();
  if (keepAliveTimeoutMs !== undefined) server.keepAliveTimeout = keepAliveTimeoutMs;

  const inFlight = new Set<ServerResponse>();
  let closing: Promise<void> | undefined;
  server.on("request", (_req, res: ServerResponse) => {
    // Requests arriving on a kept-alive connection after close() must not keep that connection open.
    if (closing) res.setHeader("connection", "close");
    inFlight.add(res);
    res.on("close", () => {
      inFlight.delete(res);
      if (closing) setImmediate(() => server.closeIdleConnections());
    });
  });
  // After the tracking listener, so it can still set headers before the app answers.
  server.on("request", app);

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen({ port, host }, () => {
      server.off("error", reject);
      resolve();
    });
  });

  const close = (): Promise<void> => {
    closing ??= new Promise<void>((resolve, reject) => {
      const force = setTimeout(() => server.closeAllConnections(), forceCloseAfterMs);
      force.unref();
      server.close((error) => {
        clearTimeout(force);
        if (error) reject(error);
        else resolve();
      });
      for (const res of inFlight) if (!res.headersSent) res.setHeader("connection", "close");
      server.closeIdleConnections();
    });
    return closing;
  };

  return { port: (server.address() as AddressInfo).port, server, close };
}
