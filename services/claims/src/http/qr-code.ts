/**
 * QR codes of claim links for receipts (the `qrcode` package: ISO/IEC 18004, byte mode, error
 * correction M, which survives a crease or a smudge on thermal paper). The link is
 * CLAIMS_LINK_BASE_URL + token (`claimLink` of @invoice/config, the same the issuer puts in ClaimOpened).
 */
import QRCode from "qrcode";

export function qrSvg(link: string): Promise<string> {
  return QRCode.toString(link, { type: "svg", errorCorrectionLevel: "M", margin: 4 });
}

/** 8 px per module: about 300 px for a claim link, sharp on a 58 mm receipt printer. */
export function qrPng(link: string): Promise<Buffer> {
  return QRCode.toBuffer(link, { type: "png", errorCorrectionLevel: "M", margin: 4, scale: 8 });
}
