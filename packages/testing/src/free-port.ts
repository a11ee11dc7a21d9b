import { createServer } from "node:net";

/**
 * A port nothing listens on right now (the kernel's pick for port 0), for a server that must be
 * started at an address known in advance. Another process could take it in between: then the
 * server's start fails with EADDRINUSE, loudly, never quietly on the wrong port.
 */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => resolve(typeof address === "object" && address ? address.port : 0));
    });
  });
}
