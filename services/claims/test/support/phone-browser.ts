/**
 * Debian's headless Chromium (scripts/ensure-chromium.sh installs it) driven by playwright-core, as a
 * 360 px wide phone, with a fresh profile per session. Screenshots go to .artifacts/claims/ (git-ignored)
 * and are kept as the test's artifacts.
 */
import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type BrowserContext, chromium, type Page } from "playwright-core";

export const CHROMIUM = "/usr/bin/chromium";
export const ARTIFACTS = ".artifacts/claims";

const ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

export interface PhoneSession {
  page: Page;
  context: BrowserContext;
  /** Saves a full-page screenshot as .artifacts/claims/<case>-<nn>-<step>.png and returns its path. */
  screenshot(step: string): Promise<string>;
  close(): Promise<void>;
}

export async function openPhone(
  name: string,
  { javaScript = true }: { javaScript?: boolean } = {},
): Promise<PhoneSession> {
  const profile = await mkdtemp(join(tmpdir(), "claims-chromium-"));
  await mkdir(ARTIFACTS, { recursive: true });
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: ARGS,
    viewport: { width: 360, height: 780 },
    deviceScaleFactor: 2,
    isMobile: true,
    hasTouch: true,
    javaScriptEnabled: javaScript,
    locale: "vi-VN",
    timezoneId: "Asia/Ho_Chi_Minh",
  });
  const page = context.pages()[0] ?? (await context.newPage());
  let step = 0;
  return {
    page,
    context,
    async screenshot(label) {
      step += 1;
      const path = join(ARTIFACTS, `${name}-${String(step).padStart(2, "0")}-${label}.png`);
      await page.screenshot({ path, fullPage: true });
      return path;
    },
    async close() {
      await context.close();
      await rm(profile, { recursive: true, force: true });
    },
  };
}

/** What the keyboard reaches, in order: Tab from the top of the page until focus leaves the page. */
export async function tabOrder(page: Page, max = 30): Promise<string[]> {
  await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
  const order: string[] = [];
  for (let i = 0; i < max; i++) {
    await page.keyboard.press("Tab");
    const name = await page.evaluate(() => {
      const el = document.activeElement as HTMLInputElement | null;
      if (!el || el === document.body) return "";
      return el.id || el.getAttribute("name") || el.className || el.tagName.toLowerCase();
    });
    if (name === "" || order.includes(name)) break;
    order.push(name);
  }
  return order;
}
