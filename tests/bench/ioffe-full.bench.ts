/**
 * The full Ioffe & Szegedy Figure 1 reproduction — 50,000 steps of batch 60, with and without BN,
 * both runs in parallel — through the real `bnlab run ioffe-fig1` process on real MNIST, against
 * the quality bar of 10 minutes for both runs together (issue 6). Opt-in: it takes minutes and
 * the whole machine, so `npm run bench` skips it; `npm run bench ioffe-full` runs it.
 */
import { pathToFileURL } from 'node:url';
import { timePresets } from './presetTiming';
import type { BenchResult } from './types';

/** Run only when named on the command line. */
export const optIn = true;

/** Seconds the full reproduction may take, both runs together. */
const FULL_TARGET_SECONDS = 600;

export async function run(): Promise<BenchResult[]> {
  return timePresets(['ioffe-fig1'], [], FULL_TARGET_SECONDS, 'full (50k steps × 2 runs)', 3600);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) console.table(await run());
