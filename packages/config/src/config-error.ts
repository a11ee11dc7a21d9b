export interface ConfigIssue {
  /** The environment variable at fault, or "(configuration)" for a rule spanning several. */
  variable: string;
  /** Why it was refused; never contains the value (it may be a secret). */
  reason: string;
}

/**
 * Start-up refused because of the environment. Lists every problem at once, so one failed deploy shows
 * everything to fix rather than one variable per attempt.
 */
export class ConfigError extends Error {
  readonly code = "CONFIG_INVALID";
  readonly retriable = false;

  constructor(readonly issues: readonly ConfigIssue[]) {
    const count = issues.length === 1 ? "1 problem" : `${issues.length} problems`;
    const lines = issues.map((issue) => `  - ${issue.variable}: ${issue.reason}`);
    super([`Invalid configuration (${count}):`, ...lines].join("\n"));
    this.name = "ConfigError";
  }
}
