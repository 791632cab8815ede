import type { OutputStream } from "./io.js";

/**
 * Shows successive frames of a live view. On a terminal each frame replaces the previous one in place
 * (cursor up, clear below), so the view updates without scrolling; anywhere else (a pipe, a log file)
 * frames are printed one after the other, so nothing is lost and no escape codes garble the output.
 */
export class LiveFrame {
  private lines = 0;

  constructor(private readonly out: OutputStream) {}

  /** True when frames redraw in place. */
  get redraws(): boolean {
    return this.out.isTTY === true;
  }

  /** Shows `text` as the current frame. */
  show(text: string): void {
    const body = text.endsWith("\n") ? text : `${text}\n`;
    if (!this.redraws) {
      this.out.write(`${body}\n`);
      return;
    }
    // A line wider than the terminal would wrap onto two rows and the next redraw would start one
    // row too low, so lines are cut to the width.
    const width = this.out.columns;
    const fitted =
      width === undefined || width < 10
        ? body
        : body
            .split("\n")
            .map((line) => (line.length >= width ? `${line.slice(0, width - 2)}…` : line))
            .join("\n");
    const up = this.lines > 0 ? `\x1b[${this.lines}F` : "";
    this.out.write(`${up}\x1b[J${fitted}`);
    this.lines = fitted.split("\n").length - 1;
  }

  /** Forgets the current frame: the next one is printed below it instead of over it. */
  keep(): void {
    this.lines = 0;
  }
}
