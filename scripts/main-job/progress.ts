/**
 * One live line per stage on stderr: rewritten in place on a terminal, printed every few seconds
 * otherwise (CI logs), and once more when the stage ends.
 */
export class Progress {
  private name = "";
  private total = 0;
  private count = 0;
  private startedAt = 0;
  private lastPrinted = 0;
  private extra: () => string = () => "";
  private timer: NodeJS.Timeout | undefined;
  private readonly tty = process.stderr.isTTY === true;

  stage(name: string, total: number, extra: () => string = () => ""): void {
    this.name = name;
    this.total = total;
    this.count = 0;
    this.extra = extra;
    this.startedAt = Date.now();
    this.timer = setInterval(() => this.print(false), this.tty ? 250 : 5_000);
    this.print(false);
  }

  tick(): void {
    this.count++;
  }

  set(count: number): void {
    this.count = count;
  }

  note(text: string): void {
    if (this.tty) process.stderr.write("\r\x1b[2K");
    process.stderr.write(`[main-job] ${text}\n`);
  }

  done(): void {
    clearInterval(this.timer);
    this.print(true);
  }

  private print(final: boolean): void {
    const now = Date.now();
    if (!final && !this.tty && now - this.lastPrinted < 4_000) return;
    this.lastPrinted = now;
    const width = 24;
    const share = this.total === 0 ? 1 : Math.min(1, this.count / this.total);
    const bar = `${"#".repeat(Math.round(share * width))}${".".repeat(width - Math.round(share * width))}`;
    const seconds = ((now - this.startedAt) / 1000).toFixed(1);
    const extra = this.extra();
    const text = `[main-job] ${this.name.padEnd(9)} [${bar}] ${this.count}/${this.total} ${seconds}s${extra ? ` | ${extra}` : ""}`;
    if (this.tty) process.stderr.write(`\r\x1b[2K${text}${final ? "\n" : ""}`);
    else process.stderr.write(`${text}\n`);
  }
}
