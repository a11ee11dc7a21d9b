import { XMLParser, XMLValidator } from "fast-xml-parser";
import { describe, expect, it } from "vitest";
import { buildInvoiceDocument } from "./build-document.ts";
import { invoiceDocumentToXml } from "./document-xml.ts";
import { sampleSnapshot } from "./fixtures.ts";
import type { InvoiceDocument, InvoiceSnapshot } from "./types.ts";

function doc(overrides: Partial<InvoiceSnapshot> = {}): InvoiceDocument {
  const result = buildInvoiceDocument(sampleSnapshot(overrides));
  if (!result.ok) throw new Error(result.reason);
  return result.document;
}

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: "@",
  parseTagValue: false,
  isArray: (name) => ["HHDVu", "LTSuat"].includes(name),
});

function parse(xml: string) {
  expect(XMLValidator.validate(xml)).toBe(true);
  return parser.parse(xml).HDon;
}

describe("invoiceDocumentToXml", () => {
  it("renders HDon/DLHDon with TTChung, NBan, NMua, DSHHDVu and TToan", () => {
    const xml = invoiceDocumentToXml(doc({ invoiceNo: 7, providerTaxCode: "0101352495" }));
    expect(xml.startsWith('<?xml version="1.0" encoding="UTF-8"?><HDon><DLHDon Id="DLHDon-6f1d2c1e')).toBe(
      true,
    );
    expect(xml).not.toMatch(/>\s+</); // compact: the signed element must not gain whitespace
    const h = parse(xml);
    expect(h.DLHDon.TTChung).toEqual({
      PBan: "2.1.0",
      THDon: "Hóa đơn giá trị gia tăng",
      KHMSHDon: "1",
      KHHDon: "C26TAA",
      SHDon: "7",
      NLap: "2026-03-15",
      HDCTTChinh: "0",
      DVTTe: "VND",
      HTTToan: "TM/CK",
      MSTTCGP: "0101352495",
    });
    const nd = h.DLHDon.NDHDon;
    expect(nd.NBan).toMatchObject({ Ten: "Công ty Cổ phần Thương mại Sông Hồng", MST: "0100109106" });
    expect(nd.NMua).toEqual({
      Ten: "Công ty TNHH Sữa Việt",
      MST: "0300588569",
      DChi: "10 Tân Trào, Phường Tân Phú, TP. Hồ Chí Minh",
      DCTDTu: "ketoan@suaviet.vn",
    });
    expect(nd.DSHHDVu.HHDVu[2]).toEqual({
      TChat: "1",
      STT: "3",
      THHDVu: "Sách giáo khoa",
      DVTinh: "cuốn",
      SLuong: "3",
      DGia: "50000",
      STCKhau: "10000",
      ThTien: "140000",
      TSuat: "5%",
    });
    expect(nd.TToan.THTTLTSuat.LTSuat).toEqual([
      { TSuat: "10%", ThTien: "100000", TThue: "10000" },
      { TSuat: "8%", ThTien: "300000", TThue: "24000" },
      { TSuat: "5%", ThTien: "140000", TThue: "7000" },
    ]);
    expect(nd.TToan).toMatchObject({
      TgTCThue: "540000",
      TgTThue: "41000",
      TgTTTBSo: "581000",
      TgTTTBChu: "Năm trăm tám mươi mốt nghìn đồng",
    });
  });

  it("keeps element order as in the format (order matters to schema validation and signing)", () => {
    const xml = invoiceDocumentToXml(doc());
    const order = [...xml.matchAll(/<([A-Za-z]+)[ >/]/g)].map((m) => m[1]);
    const pos = (name: string) => order.indexOf(name);
    expect(pos("TTChung")).toBeLessThan(pos("NDHDon"));
    expect(pos("NBan")).toBeLessThan(pos("NMua"));
    expect(pos("NMua")).toBeLessThan(pos("DSHHDVu"));
    expect(pos("DSHHDVu")).toBeLessThan(pos("TToan"));
    expect(pos("THTTLTSuat")).toBeLessThan(pos("TgTCThue"));
    expect(pos("TgTTTBSo")).toBeLessThan(pos("TgTTTBChu"));
  });

  it("escapes &, <, >, quotes and keeps Vietnamese text, round-tripping through a real parser", () => {
    const name = `Cửa hàng "Bánh & Kẹo" <Đặc biệt> O'Neil`;
    const xml = invoiceDocumentToXml(
      doc({
        buyer: { kind: "company", name, taxCode: "0300588569", address: "Số 5 <ngõ> 3 & 4, Huế" },
        lines: [
          { name: `Kẹo "dẻo" <vị> dâu & táo`, quantity: "1.5", unitPriceVnd: 33_333, vatCategory: "VAT10" },
        ],
      }),
    );
    expect(xml).toContain("Cửa hàng &quot;Bánh &amp; Kẹo&quot; &lt;Đặc biệt&gt; O&apos;Neil");
    const h = parse(xml);
    expect(h.DLHDon.NDHDon.NMua.Ten).toBe(name);
    expect(h.DLHDon.NDHDon.NMua.DChi).toBe("Số 5 <ngõ> 3 & 4, Huế");
    expect(h.DLHDon.NDHDon.DSHHDVu.HHDVu[0]).toMatchObject({
      THHDVu: `Kẹo "dẻo" <vị> dâu & táo`,
      SLuong: "1.5",
      ThTien: "50000",
    });
  });

  it("writes NFC even when the input was NFD", () => {
    const xml = invoiceDocumentToXml(
      doc({ buyer: { kind: "individual", name: "Trần Thị Ngọc Ánh".normalize("NFD") } }),
    );
    expect(xml).toContain("<Ten>Trần Thị Ngọc Ánh</Ten>");
    expect(xml).toBe(xml.normalize("NFC"));
  });

  it("writes an empty NMua for the anonymous retail buyer and CCCDan for a personal ID", () => {
    expect(invoiceDocumentToXml(doc({ buyer: { kind: "anonymous" } }))).toContain("<NMua/>");
    const xml = invoiceDocumentToXml(
      doc({ buyer: { kind: "individual", name: "Lê B", personalId: "079203000123" } }),
    );
    expect(parse(xml).DLHDon.NDHDon.NMua).toEqual({ Ten: "Lê B", CCCDan: "079203000123" });
  });

  it("omits TThue for KCT/KKKNT and omits SHDon before numbering", () => {
    const xml = invoiceDocumentToXml(
      doc({
        lines: [
          { name: "Dịch vụ y tế", quantity: 1, unitPriceVnd: 200_000, vatCategory: "KCT" },
          { name: "Hàng xuất khẩu", quantity: 1, unitPriceVnd: 100_000, vatCategory: "VAT0" },
        ],
      }),
    );
    const h = parse(xml);
    expect(h.DLHDon.TTChung.SHDon).toBeUndefined();
    expect(h.DLHDon.NDHDon.TToan.THTTLTSuat.LTSuat).toEqual([
      { TSuat: "0%", ThTien: "100000", TThue: "0" },
      { TSuat: "KCT", ThTien: "200000" },
    ]);
  });

  it("writes TTHDLQuan for an adjustment", () => {
    const xml = invoiceDocumentToXml(
      doc({
        correction: {
          kind: "adjustment",
          direction: "decrease",
          original: { templateCode: "1", series: "C26TAA", invoiceNo: "42", invoiceDate: "2026-03-01" },
          note: "Điều chỉnh giảm do trả hàng",
        },
      }),
    );
    expect(parse(xml).DLHDon.TTChung.TTHDLQuan).toEqual({
      TCHDon: "2",
      LHDCLQuan: "1",
      KHMSHDCLQuan: "1",
      KHHDCLQuan: "C26TAA",
      SHDCLQuan: "42",
      NLHDCLQuan: "2026-03-01",
      GChu: "Điều chỉnh giảm do trả hàng",
    });
  });
});
