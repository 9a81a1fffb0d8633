/** Diagnostics switches read from the URL fragment (used by the UI benchmark). */
export const chartDiagnostics = {
  /** Record each chart redraw as a `bnlab:chart-update` performance measure. */
  measure: false,
  /** Draw every point (no thinning): the benchmark's baseline. */
  noThinning: false,
};
