/** The CLI's progress: bars redrawn in place on a terminal, one line per status change otherwise. */
import { describe, expect, it } from 'vitest';
import { ProgressView } from '../../../electron/lab/cli/progress';

const progress = (runId: string, step: number) => ({ type: 'runProgress' as const, runId, backend: 'wasm' as const, progress: { step, totalSteps: 100, stepsPerSecond: 250, etaSeconds: 1, paused: false } });

describe('ProgressView', () => {
  it('draws one bar per run on a terminal and redraws them in place', () => {
    let out = '';
    const view = new ProgressView({ isTTY: true, write: (s: string) => (out += s) }, [{ id: 'a', label: 'with BN' }, { id: 'b', label: 'no BN' }]);
    view.update({ type: 'runStatus', runId: 'a', status: 'running', step: 0 });
    out = '';
    view.update(progress('a', 50));
    view.finish();
    view.update({ type: 'runStatus', runId: 'a', status: 'finished', step: 100 });
    view.finish();
    const frames = out.split('\x1b[2A');
    expect(frames).toHaveLength(3);
    expect(frames[1]).toBe(`\x1b[2Kwith BN  ${'█'.repeat(15)}${'░'.repeat(15)}      50/100  running     250 steps/s\n\x1b[2Kno BN    ${'░'.repeat(30)}       0/?  queued      \n`);
    expect(frames[2]).toMatch(/^\x1b\[2Kwith BN  █{30}     100\/100  finished    250 steps\/s\n/);
  });

  it('prints plain lines for status changes only when not on a terminal', () => {
    let out = '';
    const view = new ProgressView({ write: (s: string) => (out += s) }, [{ id: 'a', label: 'lr 1' }]);
    view.update({ type: 'runStatus', runId: 'a', status: 'running', step: 0 });
    view.update(progress('a', 40));
    view.update({ type: 'runStatus', runId: 'a', status: 'running', step: 0 });
    view.update({ type: 'runStatus', runId: 'a', status: 'diverged', step: 57, message: 'the training loss became NaN at step 57' });
    view.update({ type: 'runStatus', runId: 'other', status: 'failed', step: 0 });
    view.finish();
    expect(out).toBe('lr 1: running\nlr 1: diverged — the training loss became NaN at step 57 (step 57)\n');
  });
});
