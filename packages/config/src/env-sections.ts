import { z } from "zod";
import type { Env } from "./load-config.ts";

type Sections = Record<string, z.ZodType>;

/**
 * Composes independent sections (runtime, infrastructure, identity, the service's own variables), each
 * parsing the whole environment, into one schema whose output is `{ [section]: sectionOutput }`.
 * Every section is parsed even when another fails, so the error lists all problems at once; a section
 * keeps its own cross-field rules (the production identity check lives inside the identity section and
 * cannot be forgotten by a service).
 */
export function envSections<S extends Sections>(sections: S) {
  return z
    .custom<Env>((value) => typeof value === "object" && value !== null, "environment must be an object")
    .transform((env, ctx) => {
      const output: Record<string, unknown> = {};
      for (const [name, section] of Object.entries(sections)) {
        const result = section.safeParse(env);
        if (result.success) {
          output[name] = result.data;
          continue;
        }
        for (const issue of result.error.issues) ctx.issues.push({ ...issue, input: undefined });
      }
      return output as { [K in keyof S]: z.output<S[K]> };
    });
}
