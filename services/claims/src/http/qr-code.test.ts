import { describe, expect, it } from "vitest";
import { qrPng, qrSvg } from "./qr-code.ts";

const LINK = "https://hoadon.example.vn/c/3f0c6a52-8d2e-4b7a-9c41-5e6f7a8b9c0d";

describe("claim QR codes", () => {
  it("renders an SVG image and a PNG image", async () => {
    const svg = await qrSvg(LINK);
    expect(svg).toMatch(/^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"[^>]*viewBox="0 0 (\d+) \1"/);
    const png = await qrPng(LINK);
    expect(png.subarray(0, 8).toString("hex")).toBe("89504e470d0a1a0a");
    // IHDR width: (modules + 2 * margin) * scale, square.
    expect(png.readUInt32BE(16)).toBe(png.readUInt32BE(20));
    expect(png.readUInt32BE(16) % 8).toBe(0);
  });
});
