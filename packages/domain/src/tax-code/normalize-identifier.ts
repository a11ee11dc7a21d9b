/**
 * Input clean-up shared by tax codes and personal identification numbers: NFKC folds full-width digits
 * (０１２ -> 012) and compatibility forms; every dash-like character becomes "-"; whitespace (including
 * no-break and zero-width spaces), dots, commas, underscores and slashes are dropped as separators.
 */
const DASHES = /[\u002D\u00AD\u2010-\u2015\u2212\uFE58\uFE63\uFF0D]/g;
const SEPARATORS = /[\s\u200B-\u200D\u2060\uFEFF.,_/]/g;

/** NFKC and every dash-like character as "-", separators still in place. */
export function normalizeSeparators(input: string): string {
  return input.normalize("NFKC").replace(DASHES, "-");
}

export function cleanIdentifier(input: string): string {
  return normalizeSeparators(input).replace(SEPARATORS, "");
}
