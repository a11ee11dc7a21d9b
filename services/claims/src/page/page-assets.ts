/**
 * The page's script and style sheet, built once at start-up and served from memory under
 * content-hashed names (cached for a year: a new build has new names). The script is
 * claim-page.browser.ts bundled by esbuild with the pure domain rules it imports, so the browser checks
 * tax codes with exactly the code the server runs.
 *
 * Failure semantics: `buildPageAssets` rejects (and the api does not start) when the bundle does not
 * build: a page without its script would still work, but a broken build is a bug to see at once.
 */
import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { build, type Plugin } from "esbuild";

export interface PageAsset {
  name: string;
  contentType: string;
  body: Buffer;
}

export interface PageAssets {
  /** File names (no directory) the page links to. */
  names: { css: string; js: string };
  get(name: string): PageAsset | undefined;
}

const SCRIPT = fileURLToPath(new URL("./claim-page.browser.ts", import.meta.url));
const STYLE = fileURLToPath(new URL("./claim-page.css", import.meta.url));

/**
 * @invoice/domain's entry point also exports Node-only helpers (node:crypto for transaction UUIDs)
 * that the page never calls; esbuild must still resolve them, so Node built-ins resolve to a stub that
 * throws if anything ever did call it.
 */
const nodeBuiltinsStub: Plugin = {
  name: "node-builtins-stub",
  setup(builder) {
    builder.onResolve({ filter: /^node:/ }, (args) => ({ path: args.path, namespace: "node-stub" }));
    builder.onLoad({ filter: /.*/, namespace: "node-stub" }, (args) => ({
      loader: "js",
      contents: `module.exports = new Proxy({}, { get: () => () => { throw new Error(${JSON.stringify(
        `${args.path} is not available in the browser`,
      )}); } });`,
    }));
  },
};

function hashed(base: string, ext: string, body: Buffer): string {
  return `${base}.${createHash("sha256").update(body).digest("hex").slice(0, 12)}.${ext}`;
}

export async function buildPageAssets(): Promise<PageAssets> {
  const result = await build({
    entryPoints: [SCRIPT],
    bundle: true,
    format: "iife",
    platform: "browser",
    // Phones a few years old: Safari 14 / Chrome 90 read ES2020.
    target: ["es2020"],
    minify: true,
    legalComments: "none",
    write: false,
    logLevel: "silent",
    plugins: [nodeBuiltinsStub],
  });
  const script = Buffer.from(result.outputFiles[0]?.contents ?? new Uint8Array());
  if (script.length === 0) throw new Error("the claim page script bundle is empty");
  const style = await readFile(STYLE);
  const assets = [
    { name: hashed("claim-page", "js", script), contentType: "text/javascript; charset=utf-8", body: script },
    { name: hashed("claim-page", "css", style), contentType: "text/css; charset=utf-8", body: style },
  ];
  const byName = new Map(assets.map((asset) => [asset.name, asset]));
  return {
    names: { js: assets[0]?.name ?? "", css: assets[1]?.name ?? "" },
    get: (name) => byName.get(name),
  };
}
