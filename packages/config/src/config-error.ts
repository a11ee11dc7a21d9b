import { PlatformError } from "@invoice/errors";

export interface ConfigIssue {
  /** The environment variable at fault, or "(configuration)" for a rule spanning several. */
  variable: string;
  /** Why it was refused; never contains the value (it may be a secret). */
  reason: string;
}

/**
 * Start-up refused because of the environment. Lists every problem at once, so one failed deploy shows
 * everything to fix rather than one variable per attempt. Never retriable: the same environment fails
 * the same way; the process exits with 78 (EX_CONFIG).
 */
export class ConfigError extends PlatformError {
  override readonly name = "ConfigError";
  declare readonly code: "CONFIG_INVALID";
  readonly issues: readonly ConfigIssue[];

  constructor(message: string, options: { issues: readonly ConfigIssue[]; cause?: unknown }) {
    super("CONFIG_INVALID", message, { retriable: false, cause: options.cause });
    this.issues = options.issues;
  }

  /** The error for `issues`, with a message listing each as `  - VARIABLE: reason`. */
  static fromIssues(issues: readonly ConfigIssue[]): ConfigError {
    const count = issues.length === 1 ? "1 problem" : `${issues.length} problems`;
    const lines = issues.map((issue) => `  - ${issue.variable}: ${issue.reason}`);
    return new ConfigError([`Invalid configuration (${count}):`, ...lines].join("\n"), { issues });
  }
}
