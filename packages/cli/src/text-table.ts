/** Column alignment: numbers read best right-aligned. */
export type Align = "left" | "right";

/** Renders rows as a plain-text table with a header, columns separated by two spaces. */
export function renderTable(headers: readonly string[], rows: readonly (readonly string[])[], align: readonly Align[]) {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, i) => (align[i] === "right" ? cell.padStart(widths[i] ?? 0) : cell.padEnd(widths[i] ?? 0)))
      .join("  ")
      .trimEnd();
  return [line(headers), ...rows.map(line)].join("\n");
}
