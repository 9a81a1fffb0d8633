/** Dataset specs: which data a run trains on, and how its inputs are transformed first. */
import { z } from 'zod';

export const SyntheticGenerator = z.enum(['spirals', 'moons', 'circles', 'xor', 'blobs']);
export type SyntheticGenerator = z.infer<typeof SyntheticGenerator>;

/** A content hash (sha256, hex) names an imported dataset exactly. */
export const ContentHash = z.string().regex(/^[0-9a-f]{64}$/, 'expected a sha256 content hash (64 hex digits)');

export const DatasetSource = z.discriminatedUnion('kind', [
  /** Full MNIST, 60k train / 10k test, pixels scaled to [0, 1]. */
  z.object({ kind: z.literal('mnist') }),
  z.object({
    kind: z.literal('synthetic'),
    generator: SyntheticGenerator,
    samples: z.number().int().min(20).max(100_000).default(1000),
    noise: z.number().min(0).max(5).default(0.1),
    classes: z.number().int().min(2).max(10).default(2),
    /** Seed of the generator: the same seed gives the same points. */
    seed: z.number().int().min(0).max(2 ** 31 - 1).default(1),
  }),
  z.object({ kind: z.literal('imported'), hash: ContentHash }),
]);
export type DatasetSource = z.infer<typeof DatasetSource>;

export const DataSpec = z.object({
  source: DatasetSource,
  /** Fraction of the training set held out for evaluation when the source has no test split. */
  testFraction: z.number().min(0.05).max(0.5).default(0.2),
  /**
   * Fraction of the training examples (what the test split leaves; MNIST's 60k) set aside as a
   * validation split, evaluated beside the test set. 0: no validation split.
   */
  validationFraction: z.number().min(0).max(0.3).default(0),
  /** Use only the first N training examples (after the seeded shuffle) — for quick workshop variants. */
  trainLimit: z.number().int().min(1).optional(),
  /** Held-out examples used per evaluation (the whole test split when absent). */
  evalLimit: z.number().int().min(1).optional(),
  /** Inputs become x·scale + shift, to show what badly scaled inputs do to training. */
  inputScale: z.number().min(-1e4).max(1e4).refine((v) => v !== 0, 'input scale cannot be 0').default(1),
  inputShift: z.number().min(-1e4).max(1e4).default(0),
});
export type DataSpec = z.infer<typeof DataSpec>;
export type DataSpecInput = z.input<typeof DataSpec>;
