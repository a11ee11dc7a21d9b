/**
 * The one base error of the platform (STYLE.md "Errors"): a stable `code` a caller can switch on, a
 * `retriable` flag that says whether the same operation may succeed later, and the `cause` it wraps.
 * The retry/DLQ routers decide by `isRetriable`, never by message text.
 *
 * Every package's own errors extend it; raw errors of libraries (kafkajs, pg, Prisma, fetch) are
 * turned into one by a classifier (`classifyKafkaError`, `classifyDatabaseError`) at the boundary
 * where they are caught.
 */
export interface PlatformErrorOptions {
  /** May the same call succeed if made again later? Required: nobody should get it by accident. */
  retriable: boolean;
  cause?: unknown;
}

export class PlatformError extends Error {
  override readonly name: string = "PlatformError";
  readonly retriable: boolean;

  constructor(
    readonly code: string,
    message: string,
    options: PlatformErrorOptions,
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.retriable = options.retriable;
  }
}

export function isPlatformError(error: unknown): error is PlatformError {
  return error instanceof PlatformError;
}
