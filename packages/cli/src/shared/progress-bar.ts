/**
 * A one-line progress bar on stderr for long runs (replays). Drawn only on a terminal; elsewhere
 * (CI, a pipe, --json) it prints nothing, so stdout stays the command's result alone.
 */
export interface ProgressBar {
  tick(done: number, note?: string): void;
  finish(): void;
}

export function createProgressBar(
  total: number,
  options: { stream?: NodeJS.WriteStream; enabled?: boolean; label?: string } = {},
): ProgressBar {
  const stream = options.stream ?? process.stderr;
  const enabled = options.enabled ?? Boolean(stream.isTTY);
  const label = options.label ?? "";
  const started = Date.now();
  let drawn = false;
  const draw = (done: number, note = "") => {
    if (!enabled) return;
    const width = 30;
    const ratio = total === 0 ? 1 : Math.min(1, done / total);
    const filled = Math.round(ratio * width);
    const seconds = (Date.now() - started) / 1000;
    const rate = seconds > 0 ? (done / seconds).toFixed(1) : "-";
    const bar = `${"█".repeat(filled)}${"░".repeat(width - filled)}`;
    stream.write(`\r${label}${bar} ${done}/${total} ${rate}/s ${note}`.padEnd(80));
    drawn = true;
  };
  return {
    tick: draw,
    finish() {
      if (enabled && drawn) stream.write("\n");
    },
  };
}
