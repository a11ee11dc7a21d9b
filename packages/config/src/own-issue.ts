import type { z } from "zod";

/**
 * Marks an issue whose message we wrote. Our messages never contain a value, so the loader reports them
 * as written; only messages from other schemas are searched for the value to hide (hiding "prod" inside
 * our own "must be one of ..., production" once turned it into "[value hidden]uction").
 */
export const OWN_MESSAGE = "invoiceOwnMessage";

export function addOwnIssue(
  ctx: z.RefinementCtx,
  issue: { message: string; path?: PropertyKey[]; continue?: boolean },
): void {
  ctx.addIssue({
    code: "custom",
    message: issue.message,
    ...(issue.path === undefined ? {} : { path: issue.path }),
    ...(issue.continue === undefined ? {} : { continue: issue.continue }),
    params: { [OWN_MESSAGE]: true },
  });
}

export function isOwnIssue(issue: z.core.$ZodIssue): boolean {
  return issue.code === "custom" && issue.params?.[OWN_MESSAGE] === true;
}
