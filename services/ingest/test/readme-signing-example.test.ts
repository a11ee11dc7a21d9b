/**
 * The README's signing example, run as it is written (openssl + curl), against a real ingest: senders
 * implement the scheme from that text, so the text must work.
 */
import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { MERCHANT_SECRET, useIngest } from "./support.ts";

const README = readFileSync(new URL("../README.md", import.meta.url), "utf8");

function example(): string {
  const block = /<!-- signing-example:start -->\n```bash\n([\s\S]*?)```\n<!-- signing-example:end -->/.exec(
    README,
  );
  if (!block?.[1]) throw new Error("README has no signing example block");
  return block[1];
}

const context = useIngest({ INGEST_CONSUMERS_ENABLED: "false" });

function run(script: string, env: Record<string, string>): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      "bash",
      ["-euo", "pipefail", "-c", script],
      { env: { PATH: process.env.PATH ?? "", ...env } },
      (error, stdout, stderr) => (error ? reject(new Error(`${error.message}\n${stderr}`)) : resolve(stdout)),
    );
  });
}

describe("README signing example", () => {
  it("is accepted as written, and refused with another secret", async () => {
    const accepted = JSON.parse(
      await run(example(), { SECRET: MERCHANT_SECRET, INGEST_URL: context.ingest.url }),
    );
    expect(accepted).toMatchObject({ status: "accepted", eventId: expect.any(String) });
    const refused = JSON.parse(
      await run(example(), {
        SECRET: "whsec_not_the_secret_0123456789abcdef",
        INGEST_URL: context.ingest.url,
      }),
    );
    expect(refused).toMatchObject({ status: 401, code: "SIGNATURE_MISMATCH" });
  });
});
