/**
 * Free-text fields (names, addresses, item names) on our documents are normalised once, here:
 * - Unicode NFC, so "Nguyễn" typed with combining marks (NFD, common from macOS and some keyboards)
 *   and precomposed "Nguyễn" are the same string, compare equal, and are measured the same against
 *   the XML length limits (which count characters);
 * - every run of whitespace (tabs, newlines, no-break spaces) becomes one space, and the ends are
 *   trimmed: invoice fields are single-line, and XML parsers would rewrite CR/LF anyway;
 * - characters XML 1.0 cannot carry (C0 controls, lone surrogates, U+FFFE/U+FFFF) are refused by
 *   validation, not silently dropped, so bad input is reported with the field that carried it.
 */
export function normalizeText(value: string): string {
  return value.normalize("NFC").replace(/\s+/g, " ").trim();
}

function isAllowedCodeUnit(unit: number): boolean {
  if (unit === 0x09 || unit === 0x0a || unit === 0x0d) return true;
  return unit >= 0x20 && unit !== 0xfffe && unit !== 0xffff;
}

/** True when the string contains a character that cannot appear in an XML 1.0 document. */
export function hasInvalidXmlChar(value: string): boolean {
  for (let i = 0; i < value.length; i++) {
    const unit = value.charCodeAt(i);
    if (unit >= 0xd800 && unit <= 0xdbff) {
      const low = value.charCodeAt(i + 1);
      if (!(low >= 0xdc00 && low <= 0xdfff)) return true;
      i++;
      continue;
    }
    if (unit >= 0xdc00 && unit <= 0xdfff) return true;
    if (!isAllowedCodeUnit(unit)) return true;
  }
  return false;
}

/** Length in characters (code points), as the format's "độ dài tối đa" counts them. */
export function charLength(value: string): number {
  return [...value].length;
}
