import { createServer, type Server } from "node:http";
import type { DevKeys } from "./dev-keys.ts";

/** Serves the dev public key at GET /.well-known/jwks.json (and /health for the stack's readiness poll). */
export function createJwksServer(keys: DevKeys): Server {
  const body = JSON.stringify({ keys: [keys.publicJwk] });
  return createServer((req, res) => {
    if (req.method === "GET" && req.url === "/.well-known/jwks.json") {
      res.writeHead(200, { "content-type": "application/json", "cache-control": "max-age=300" }).end(body);
    } else if (req.method === "GET" && req.url === "/health") {
      res.writeHead(200, { "content-type": "application/json" }).end('{"status":"ok"}');
    } else {
      res.writeHead(404).end();
    }
  });
}
