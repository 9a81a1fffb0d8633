/** One figure a benchmark reports; `ratio` compares it with a `baseline` measured in the same run. */
export interface BenchResult {
  name: string;
  value: number;
  unit: string;
  baseline?: number;
  ratio?: number;
  note?: string;
}
