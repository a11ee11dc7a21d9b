import { XMLParser, XMLValidator } from "fast-xml-parser";
import { describe, expect, it } from "vitest";
import { hasInvalidXmlChar, normalizeText } from "./text.ts";
import { escapeXml, writeXmlDocument } from "./xml-writer.ts";

describe("escapeXml", () => {
  it.each([
    ["A & B", "A &amp; B"],
    ["<script>", "&lt;script&gt;"],
    ['say "hi"', "say &quot;hi&quot;"],
    ["O'Brien", "O&apos;Brien"],
    ["]]>", "]]&gt;"],
    ["&amp;", "&amp;amp;"], // already-escaped text is text, escaped again
    [
      "Công ty TNHH Một Thành Viên Đầu Tư & Phát Triển",
      "Công ty TNHH Một Thành Viên Đầu Tư &amp; Phát Triển",
    ],
    ["😀 Emoji", "😀 Emoji"],
  ])("%j", (input, expected) => {
    expect(escapeXml(input)).toBe(expected);
  });

  it.each(["\u0000", "bell\u0007", "\uFFFE", "lone \uD800 surrogate", "\uDC00"])("refuses %j", (input) => {
    expect(() => escapeXml(input)).toThrow(RangeError);
  });
});

describe("text normalisation", () => {
  it("composes NFD input to NFC and collapses whitespace", () => {
    const nfd = "Nguye\u0302\u0303n  Va\u0306n\tA\u0300\n";
    expect(normalizeText(nfd)).toBe("Nguyễn Văn À");
    expect(normalizeText(nfd)).toBe("Nguyễn Văn À".normalize("NFC"));
  });

  it("finds characters XML 1.0 cannot carry", () => {
    expect(hasInvalidXmlChar("tab\tnewline\ncr\r ok 😀")).toBe(false);
    expect(hasInvalidXmlChar("\u001F")).toBe(true);
    expect(hasInvalidXmlChar("\uD83D")).toBe(true);
  });
});

describe("writeXmlDocument", () => {
  it("writes compact XML that a real parser reads back to the same strings", () => {
    const nasty = `&<>"' Đặng Thị Ngọc Hân, 12/3 Lê Lợi, Q.1 — TP.HCM 😀`;
    const xml = writeXmlDocument({
      name: "HDon",
      children: [
        {
          name: "DLHDon",
          attributes: { Id: `a"b&c` },
          children: [
            { name: "Ten", text: nasty },
            { name: "Trong", children: [] },
          ],
        },
      ],
    });
    expect(xml).toBe(
      `<?xml version="1.0" encoding="UTF-8"?><HDon><DLHDon Id="a&quot;b&amp;c"><Ten>&amp;&lt;&gt;&quot;&apos; Đặng Thị Ngọc Hân, 12/3 Lê Lợi, Q.1 — TP.HCM 😀</Ten><Trong/></DLHDon></HDon>`,
    );
    expect(XMLValidator.validate(xml)).toBe(true);
    const parsed = new XMLParser({
      ignoreAttributes: false,
      attributeNamePrefix: "@",
      parseTagValue: false,
    }).parse(xml);
    expect(parsed.HDon.DLHDon.Ten).toBe(nasty);
    expect(parsed.HDon.DLHDon["@Id"]).toBe(`a"b&c`);
  });

  it("refuses invalid element names", () => {
    expect(() => writeXmlDocument({ name: "1bad", children: [] })).toThrow(RangeError);
  });
});
