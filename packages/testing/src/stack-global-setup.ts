import { connect } from "node:net";
import { stackEnv } from "./stack-env.ts";

function tcpReachable(hostPort: string, timeoutMs = 2_000): Promise<boolean> {
  const url = new URL(hostPort.includes("://") ? hostPort : `tcp://${hostPort}`);
  return new Promise((resolve) => {
    const socket = connect({ host: url.hostname, port: Number(url.port) });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once("connect", () => done(true));
    socket.once("error", () => done(false));
  });
}

/**
 * Integration tests need the real stack. Fail the whole run at once, with the command that fixes it,
 * rather than letting every test time out on its own.
 */
export default async function setup(): Promise<void> {
  const env = stackEnv();
  const checks: Array<[string, string]> = [
    ["Kafka", env.kafkaBrokers[0] ?? "127.0.0.1:9092"],
    ["schema registry", env.schemaRegistryUrl],
    ["PostgreSQL", env.databaseUrl],
    ["Redis", env.redisUrl],
  ];
  const down: string[] = [];
  for (const [name, address] of checks) {
    if (!(await tcpReachable(address))) down.push(`${name} (${address})`);
  }
  if (down.length > 0) {
    throw new Error(
      `The local stack is not reachable: ${down.join(", ")}. Start it with "pnpm stack:up" (or run "npm test", which starts it).`,
    );
  }
}
