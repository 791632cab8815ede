import type { ReadingInterval } from "./ownership-book.js";

/** One side's panel of the chart. */
export interface ChartPanel {
  readonly title: string;
  /** Time zero of the panel (the first join). */
  readonly t0: number;
  readonly intervals: readonly ReadingInterval[];
  /** Members in join order: their colour is picked by position. */
  readonly members: readonly string[];
  readonly marks: readonly { readonly t: number; readonly label: string }[];
  /** Optional end of the panel (defaults to its last interval). */
  readonly t1?: number;
}

const COLOURS = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f"];
const xmlText = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

/**
 * An SVG of who read each partition over time, one panel per side on a common time axis: a row per
 * partition, coloured by reading process; white is a partition nobody read, dark overlaps two readers.
 */
export function ownershipChart(panels: readonly ChartPanel[], partitions: number, title: string): string {
  const left = 70;
  const right = 20;
  const width = 960;
  const rowH = 5;
  const plotW = width - left - right;
  const panelH = partitions * rowH;
  const gap = 70;
  const top = 40;
  const span = Math.max(
    1,
    ...panels.map((p) => (p.t1 ?? Math.max(p.t0, ...p.intervals.map((i) => i.to ?? i.from))) - p.t0),
  );
  const seconds = span / 1000;
  const step = [1, 2, 5, 10, 20, 30, 60].find((s) => seconds / s <= 12) ?? 120;
  const height = top + panels.length * (panelH + gap);
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="11">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="${left}" y="20" font-size="14" font-weight="bold">${xmlText(title)}</text>`,
  ];
  const x = (ms: number) => left + (Math.max(0, ms) / span) * plotW;
  panels.forEach((panel, k) => {
    const y0 = top + k * (panelH + gap) + 18;
    const end = panel.t1 ?? Math.max(panel.t0, ...panel.intervals.map((i) => i.to ?? i.from));
    out.push(`<text x="${left}" y="${y0 - 6}" font-size="12" font-weight="bold">${xmlText(panel.title)}</text>`);
    out.push(
      `<rect x="${left}" y="${y0}" width="${x(end - panel.t0) - left}" height="${panelH}" fill="white" stroke="#999"/>`,
    );
    for (const iv of panel.intervals) {
      const row = Number(iv.partitionId);
      const colour = COLOURS[panel.members.indexOf(iv.member) % COLOURS.length] ?? "#000";
      const from = x(iv.from - panel.t0);
      const to = x((iv.to ?? end) - panel.t0);
      out.push(
        `<rect x="${from.toFixed(1)}" y="${y0 + row * rowH}" width="${Math.max(0.5, to - from).toFixed(1)}" height="${rowH - 1}" fill="${colour}" fill-opacity="0.75"/>`,
      );
    }
    for (const m of panel.marks) {
      const mx = x(m.t - panel.t0);
      out.push(
        `<line x1="${mx.toFixed(1)}" y1="${y0}" x2="${mx.toFixed(1)}" y2="${y0 + panelH}" stroke="black" stroke-dasharray="3,2"/>`,
      );
      out.push(`<text x="${(mx + 2).toFixed(1)}" y="${y0 + panelH + 12}" font-size="9">${xmlText(m.label)}</text>`);
    }
    out.push(`<text x="${left - 6}" y="${y0 + 8}" text-anchor="end" font-size="9">p0</text>`);
    out.push(`<text x="${left - 6}" y="${y0 + panelH}" text-anchor="end" font-size="9">p${partitions - 1}</text>`);
    for (let s = 0; s <= seconds; s += step) {
      const tx = x(s * 1000);
      out.push(`<text x="${tx.toFixed(1)}" y="${y0 + panelH + 26}" text-anchor="middle" font-size="9">${s} s</text>`);
    }
    panel.members.forEach((m, i) => {
      out.push(
        `<rect x="${left + 300 + i * 110}" y="${y0 - 15}" width="10" height="10" fill="${COLOURS[i % COLOURS.length]}"/>`,
        `<text x="${left + 314 + i * 110}" y="${y0 - 6}" font-size="10">${xmlText(m)}</text>`,
      );
    });
  });
  out.push("</svg>");
  return `${out.join("\n")}\n`;
}
