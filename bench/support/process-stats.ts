// Process figures for the benches: peak RSS (VmHWM) of this process or of a child, from /proc.
import { readFileSync } from "node:fs";

function statusKb(pid: number | "self", field: "VmHWM" | "VmRSS"): number | undefined {
  try {
    const line = readFileSync(`/proc/${pid}/status`, "utf8")
      .split("\n")
      .find((l) => l.startsWith(`${field}:`));
    return line ? Number(line.split(/\s+/)[1]) : undefined;
  } catch {
    return undefined;
  }
}

/** Peak resident set of this process so far, MB. */
export function peakRssMb(): number {
  return Math.round((statusKb("self", "VmHWM") ?? process.memoryUsage().rss / 1024) / 1024);
}

/**
 * Samples a child's VmHWM (its own peak, kept by the kernel) every `intervalMs`; `stop()` returns the
 * last value read, MB (the peak survives until the process exits, so sample before it does).
 */
export function watchPeakRss(pid: number, intervalMs = 250): { current(): number; stop(): number } {
  let peak = 0;
  const read = () => {
    const kb = statusKb(pid, "VmHWM");
    if (kb !== undefined) peak = Math.max(peak, kb);
  };
  read();
  const timer = setInterval(read, intervalMs);
  timer.unref();
  return {
    current: () => Math.round(peak / 1024),
    stop: () => {
      read();
      clearInterval(timer);
      return Math.round(peak / 1024);
    },
  };
}
