/** The page's languages: Vietnamese by default, English on request. */
export const LOCALES = ["vi", "en"] as const;
export type Locale = (typeof LOCALES)[number];
export const DEFAULT_LOCALE: Locale = "vi";

export function isLocale(value: unknown): value is Locale {
  return value === "vi" || value === "en";
}

/**
 * The language of an answer: an explicit `?lang=` (or the form's hidden `lang`) wins, then the
 * Accept-Language header (RFC 9110 section 12.5.4: the highest-weighted range we have; `*` and unknown
 * ranges do not count), then Vietnamese.
 */
export function negotiateLocale(explicit: unknown, acceptLanguage: string | undefined): Locale {
  if (isLocale(explicit)) return explicit;
  if (!acceptLanguage) return DEFAULT_LOCALE;
  let best: { locale: Locale; q: number; position: number } | undefined;
  const ranges = acceptLanguage.split(",").slice(0, 32);
  for (const [position, part] of ranges.entries()) {
    const [range = "", ...params] = part.trim().toLowerCase().split(";");
    const primary = range.split("-")[0];
    if (!isLocale(primary)) continue;
    const qParam = params.map((p) => p.trim()).find((p) => p.startsWith("q="));
    const q = qParam === undefined ? 1 : Number(qParam.slice(2));
    if (!Number.isFinite(q) || q <= 0 || q > 1) continue;
    if (!best || q > best.q || (q === best.q && position < best.position))
      best = { locale: primary, q, position };
  }
  return best?.locale ?? DEFAULT_LOCALE;
}
