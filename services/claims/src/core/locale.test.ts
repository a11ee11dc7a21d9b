import { describe, expect, it } from "vitest";
import { negotiateLocale } from "./locale.ts";

describe("negotiateLocale", () => {
  it.each<[unknown, string | undefined, string]>([
    [undefined, undefined, "vi"],
    ["en", "vi-VN,vi;q=0.9", "en"],
    ["vi", "en-GB", "vi"],
    ["fr", "en-US,en;q=0.9", "en"],
    [undefined, "en-US,en;q=0.9,vi;q=0.8", "en"],
    [undefined, "vi-VN,vi;q=0.9,en-US;q=0.8", "vi"],
    [undefined, "fr-FR,fr;q=0.9", "vi"],
    [undefined, "fr;q=1, en;q=0.5, vi;q=0.7", "vi"],
    [undefined, "en;q=0, vi;q=0.1", "vi"],
    [undefined, "*", "vi"],
    [undefined, "en;q=abc", "vi"],
    [["en"], "en", "en"],
  ])("lang %j, Accept-Language %j -> %s", (explicit, header, expected) => {
    expect(negotiateLocale(explicit, header)).toBe(expected);
  });
});
