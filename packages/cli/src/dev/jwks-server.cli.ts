// The dev JWKS server the local stack starts (stack/stack.sh, block "dev JWKS"):
//   node --import tsx packages/cli/src/dev/jwks-server.cli.ts --host 127.0.0.1 --port 31151 --key-dir <dir>
import { parseArgs } from "node:util";
import { DEV_JWKS_PORT, defaultKeyDir, loadOrCreateDevKeys } from "./dev-keys.ts";
import { createJwksServer } from "./jwks-server.ts";

const { values } = parseArgs({
  options: {
    host: { type: "string", default: "127.0.0.1" },
    port: { type: "string" },
    "key-dir": { type: "string" },
  },
});
const keys = await loadOrCreateDevKeys(values["key-dir"] ?? defaultKeyDir(process.env, process.cwd()));
const server = createJwksServer(keys);
const port = Number(values.port ?? DEV_JWKS_PORT);
server.listen(port, values.host, () => {
  console.log(
    JSON.stringify({
      msg: "dev JWKS listening",
      url: `http://${values.host}:${port}/.well-known/jwks.json`,
      kid: keys.kid,
    }),
  );
});
for (const signal of ["SIGTERM", "SIGINT"] as const)
  process.once(signal, () => server.close(() => process.exit(0)));
