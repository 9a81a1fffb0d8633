/**
 * Stable run colours: a run keeps the colour it was first given, in every chart and view and
 * across restarts (a long-standing TensorBoard complaint, #893/#1388). New runs take the palette
 * colour fewest current runs use, so a comparison of up to ten runs has no repeats.
 */

/** Okabe–Ito plus Tableau tones: distinguishable for common colour-vision deficiencies, on light and dark. */
export const RUN_PALETTE: readonly string[] = [
  '#0072b2',
  '#e69f00',
  '#009e73',
  '#d55e00',
  '#cc79a7',
  '#56b4e9',
  '#8c6d31',
  '#7f7f7f',
  '#b5a300',
  '#6a3d9a',
];

/**
 * Colours for `ids`: existing assignments are kept; each new id gets the least-used palette colour
 * among `ids`' colours (ties: palette order). Returns the full updated assignment.
 */
export function assignColors(
  ids: readonly string[],
  existing: Readonly<Record<string, string>>,
  palette: readonly string[] = RUN_PALETTE,
): Record<string, string> {
  const result: Record<string, string> = { ...existing };
  const uses = new Map<string, number>(palette.map((c) => [c, 0]));
  for (const id of ids) {
    const c = existing[id];
    if (c !== undefined) uses.set(c, (uses.get(c) ?? 0) + 1);
  }
  for (const id of ids) {
    if (result[id] !== undefined) continue;
    let best = palette[0]!;
    let bestUses = Infinity;
    for (const c of palette) {
      const u = uses.get(c) ?? 0;
      if (u < bestUses) {
        best = c;
        bestUses = u;
      }
    }
    result[id] = best;
    uses.set(best, bestUses + 1);
  }
  return result;
}
