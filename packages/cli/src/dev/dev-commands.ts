import type { Command } from "commander";
import { DEV_AUDIENCE, DEV_ISSUER, defaultKeyDir, loadOrCreateDevKeys } from "./dev-keys.ts";
import { parseTtl, signDevToken } from "./dev-token.ts";

const list = (value: string, previous: string[] = []) => [
  ...previous,
  ...value
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean),
];

/** `invoice dev ...`: local-development helpers. */
export function registerDevCommands(program: Command): void {
  const dev = program.command("dev").description("local development helpers");
  dev
    .command("token")
    .description("print a merchant API token signed by the dev JWKS the stack serves")
    .requiredOption(
      "--merchant <id...>",
      "merchant id(s) the token speaks for (repeat or comma-separate)",
      list,
    )
    .requiredOption("--permissions <p,...>", "permissions, e.g. invoices:read,webhooks:write", list)
    .option("--ttl <duration>", "lifetime: 90s, 30m, 1h, 2d", "1h")
    .option("--subject <sub>", "the token's subject", "dev-user")
    .option("--issuer <iss>", "issuer claim", DEV_ISSUER)
    .option("--audience <aud>", "audience claim", DEV_AUDIENCE)
    .option("--key-dir <dir>", "where the dev key pair lives (default <stack dir>/dev-jwt)")
    .action(async function (
      this: Command,
      options: {
        merchant: string[];
        permissions: string[];
        ttl: string;
        subject: string;
        issuer: string;
        audience: string;
        keyDir?: string;
      },
    ) {
      // A usage mistake is one line on stderr and exit 1 (commander's error), never a stack trace.
      let ttlSeconds: number;
      try {
        ttlSeconds = parseTtl(options.ttl);
      } catch (error) {
        return this.error(`error: ${(error as Error).message}`);
      }
      // ingest refuses a token without a merchant: printing one would only fail at the first request.
      if (options.merchant.length === 0) {
        return this.error("error: --merchant needs at least one merchant id");
      }
      const keys = await loadOrCreateDevKeys(options.keyDir ?? defaultKeyDir(process.env, process.cwd()));
      const token = await signDevToken(keys, {
        merchants: options.merchant,
        permissions: options.permissions,
        ttlSeconds,
        subject: options.subject,
        issuer: options.issuer,
        audience: options.audience,
      });
      process.stdout.write(`${token}\n`);
    });
}
