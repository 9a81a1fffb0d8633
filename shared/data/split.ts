/**
 * How a dataset's examples divide into training, validation and test splits. The dataset manager
 * cuts its arrays by these counts and the renderer sizes epochs by them, so both follow one rule.
 */

/** Examples in each split. */
export interface SplitCounts {
  train: number;
  validation: number;
  test: number;
}

/** The fractions of a DataSpec that decide the split. */
export interface SplitFractions {
  testFraction: number;
  validationFraction: number;
}

/** How many of `n` examples a fraction holds out: none for 0, else at least one. */
export function heldOutCount(n: number, fraction: number): number {
  return fraction > 0 ? Math.max(1, Math.round(n * fraction)) : 0;
}

/**
 * Split sizes of `examples` examples. The test split is `testFraction` of them, unless the source
 * brings its own test set (`ownTestCount`, MNIST's 10k); validation is `validationFraction` of
 * what is left for training. `train` is below 1 when there are too few examples for the split.
 */
export function splitCounts(examples: number, fractions: SplitFractions, ownTestCount?: number): SplitCounts {
  const test = ownTestCount ?? heldOutCount(examples, fractions.testFraction);
  const trainable = ownTestCount === undefined ? examples - test : examples;
  const validation = heldOutCount(trainable, fractions.validationFraction);
  return { train: trainable - validation, validation, test };
}
