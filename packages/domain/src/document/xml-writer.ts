import { hasInvalidXmlChar } from "./text.ts";

/**
 * A deliberately small XML writer for one fixed, known tree (the invoice format has no mixed
 * content, no namespaces on DLHDon and one attribute). Output is compact (no indentation) because
 * the signed element DLHDon is digested byte for byte: whitespace we add would become part of the
 * signed content.
 */
export type XmlNode = { name: string; attributes?: Record<string, string>; children: XmlChild[] };
export type XmlChild = XmlNode | { name: string; text: string };

const ESCAPES: Record<string, string> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&apos;",
};

/**
 * Escapes text for element content and attribute values alike. `>` and quotes need no escaping in
 * content, but escaping them everywhere keeps one rule (and `]]>` can never appear). Characters XML
 * cannot carry at all are a programming error here: validation refuses them before this point.
 */
export function escapeXml(value: string): string {
  if (hasInvalidXmlChar(value)) throw new RangeError("text contains characters not allowed in XML 1.0");
  return value.replace(/[&<>"']/g, (c) => ESCAPES[c] ?? c);
}

const NAME = /^[A-Za-z_][A-Za-z0-9_.-]*$/;

function writeNode(node: XmlChild, out: string[]): void {
  if (!NAME.test(node.name)) throw new RangeError(`invalid XML name ${node.name}`);
  if ("text" in node) {
    out.push(`<${node.name}>${escapeXml(node.text)}</${node.name}>`);
    return;
  }
  const attributes = Object.entries(node.attributes ?? {})
    .map(([key, value]) => ` ${key}="${escapeXml(value)}"`)
    .join("");
  if (node.children.length === 0) {
    out.push(`<${node.name}${attributes}/>`);
    return;
  }
  out.push(`<${node.name}${attributes}>`);
  for (const child of node.children) writeNode(child, out);
  out.push(`</${node.name}>`);
}

/** Serialises a tree with an XML declaration, UTF-8. */
export function writeXmlDocument(root: XmlNode): string {
  const out = ['<?xml version="1.0" encoding="UTF-8"?>'];
  writeNode(root, out);
  return out.join("");
}

/** An element with text, or nothing when the value is absent: optional fields are omitted, never empty. */
export function textElement(name: string, value: string | number | undefined): XmlChild[] {
  if (value === undefined || value === "") return [];
  return [{ name, text: String(value) }];
}
