import { charLength, hasInvalidXmlChar, normalizeText } from "./text.ts";
import type { DocumentIssue } from "./types.ts";

/** Collects issues while reading fields, so one build reports every problem at once. */
export class IssueCollector {
  readonly issues: DocumentIssue[] = [];

  add(path: string, code: string, message: string): void {
    this.issues.push({ path, code, message });
  }

  /** A normalised text field, checked for presence, characters and maximum length. */
  text(path: string, value: unknown, options: { required: boolean; max: number }): string | undefined {
    if (value === undefined || value === null || value === "") {
      if (options.required) this.add(path, "REQUIRED", `${path} is required`);
      return undefined;
    }
    if (typeof value !== "string" && typeof value !== "number") {
      this.add(path, "INVALID_TYPE", `${path} must be text`);
      return undefined;
    }
    const normalized = normalizeText(String(value));
    if (normalized === "") {
      if (options.required) this.add(path, "REQUIRED", `${path} is required`);
      return undefined;
    }
    if (hasInvalidXmlChar(normalized)) {
      this.add(path, "INVALID_CHARACTERS", `${path} contains characters not allowed in XML`);
      return undefined;
    }
    if (charLength(normalized) > options.max) {
      this.add(path, "TOO_LONG", `${path} is longer than ${options.max} characters`);
      return undefined;
    }
    return normalized;
  }

  get reason(): string {
    return this.issues.map((i) => `${i.path}: ${i.code}`).join("; ");
  }
}
