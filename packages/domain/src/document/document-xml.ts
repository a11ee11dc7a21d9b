import type { InvoiceBuyer } from "../events.ts";
import type { InvoiceDocument, SellerSnapshot } from "./types.ts";
import { textElement, writeXmlDocument, type XmlChild, type XmlNode } from "./xml-writer.ts";

/** LHDCLQuan (Appendix VI): 1 = e-invoice under Decree 123 - the only kind we ever correct. */
const RELATED_INVOICE_TYPE_DECREE_123 = 1;

function node(name: string, children: XmlChild[], attributes?: Record<string, string>): XmlNode {
  return attributes ? { name, attributes, children } : { name, children };
}

function generalInfo(d: InvoiceDocument): XmlNode {
  const related = d.correction
    ? [
        node("TTHDLQuan", [
          ...textElement("TCHDon", d.correction.kind === "replacement" ? 1 : 2),
          ...textElement("LHDCLQuan", RELATED_INVOICE_TYPE_DECREE_123),
          ...textElement("KHMSHDCLQuan", d.correction.original.templateCode),
          ...textElement("KHHDCLQuan", d.correction.original.series),
          ...textElement("SHDCLQuan", d.correction.original.invoiceNo),
          ...textElement("NLHDCLQuan", d.correction.original.invoiceDate),
          ...textElement("GChu", d.correction.note),
        ]),
      ]
    : [];
  return node("TTChung", [
    ...textElement("PBan", d.formatVersion),
    ...textElement("THDon", d.invoiceName),
    ...textElement("KHMSHDon", d.templateCode),
    ...textElement("KHHDon", d.series),
    ...textElement("SHDon", d.invoiceNo),
    ...textElement("NLap", d.invoiceDate),
    // Not a financial-leasing invoice (HDCTTChinh is mandatory from v2.1.0).
    ...textElement("HDCTTChinh", 0),
    ...textElement("DVTTe", d.currency),
    ...textElement("HTTToan", d.paymentMethod),
    ...textElement("MSTTCGP", d.providerTaxCode),
    ...related,
  ]);
}

function seller(s: SellerSnapshot): XmlNode {
  return node("NBan", [
    ...textElement("Ten", s.name),
    ...textElement("MST", s.taxCode),
    ...textElement("DChi", s.address),
    ...textElement("MCHang", s.storeCode),
    ...textElement("TCHang", s.storeName),
    ...textElement("SDThoai", s.phone),
    ...textElement("DCTDTu", s.email),
    ...textElement("STKNHang", s.bankAccount),
    ...textElement("TNHang", s.bankName),
  ]);
}

/**
 * The anonymous retail buyer gets an empty NMua: every NMua field is "required if any", and Decree 123
 * Art. 10(14) as amended lets retail sales to non-business individuals omit name, address and tax
 * code. The provider JSON flags it separately (SInvoice buyerNotGetInvoice = 1).
 */
function buyer(b: InvoiceBuyer): XmlNode {
  if (b.kind === "anonymous") return node("NMua", []);
  return node("NMua", [
    ...textElement("Ten", b.name),
    ...textElement("MST", b.taxCode),
    ...textElement("DChi", b.address),
    ...textElement("CCCDan", b.personalId),
    ...textElement("DCTDTu", b.email),
  ]);
}

function items(d: InvoiceDocument): XmlNode {
  return node(
    "DSHHDVu",
    d.lines.map((l) =>
      node("HHDVu", [
        ...textElement("TChat", l.nature),
        ...textElement("STT", l.lineNo),
        ...textElement("MHHDVu", l.sku),
        ...textElement("THHDVu", l.name),
        ...textElement("DVTinh", l.unit),
        ...textElement("SLuong", l.quantity),
        ...textElement("DGia", l.unitPriceVnd),
        // The discount is already inside ThTien; STCKhau only shows it (negative on a decrease).
        ...(l.discountVnd !== 0 ? textElement("STCKhau", l.discountVnd) : []),
        ...textElement("ThTien", l.amountBeforeVatVnd),
        ...textElement("TSuat", l.vatRate),
      ]),
    ),
  );
}

function payment(d: InvoiceDocument): XmlNode {
  return node("TToan", [
    node(
      "THTTLTSuat",
      d.vatBreakdown.map((row) =>
        node("LTSuat", [
          ...textElement("TSuat", row.vatRate),
          ...textElement("ThTien", row.amountBeforeVatVnd),
          // KCT/KKKNT carry no VAT amount at all ("required if any").
          ...(row.taxed ? textElement("TThue", row.vatVnd) : []),
        ]),
      ),
    ),
    ...textElement("TgTCThue", d.totals.totalBeforeVatVnd),
    ...textElement("TgTThue", d.totals.totalVatVnd),
    ...textElement("TgTTTBSo", d.totals.totalPayableVnd),
    ...textElement("TgTTTBChu", d.totals.totalPayableInWords),
  ]);
}

/**
 * The unsigned invoice XML in the tax authority's data format (HDon/DLHDon, PBan 2.1.0). DSCKS (the
 * signatures) and MCCQT (the tax authority code) are added by whoever signs and transmits it.
 * Amounts are written as the document carries them, so a decrease adjustment has negative DGia,
 * STCKhau, ThTien, TThue, TgTCThue, TgTThue and TgTTTBSo.
 */
export function invoiceDocumentToXml(d: InvoiceDocument): string {
  const content = node("NDHDon", [seller(d.seller), buyer(d.buyer), items(d), payment(d)]);
  return writeXmlDocument(node("HDon", [node("DLHDon", [generalInfo(d), content], { Id: d.documentId })]));
}
