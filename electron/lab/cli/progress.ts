/**
 * Progress of a CLI run: one bar per run, redrawn in place on a terminal; on a pipe or log only
 * status changes are printed (no control characters in CI logs).
 */
import type { LabEvent } from '../../../shared/api';

/** What the CLI writes to: a process stream or a test's collector. */
export interface OutputStream {
  write(text: string): unknown;
  isTTY?: boolean;
}

interface Row {
  id: string;
  label: string;
  step: number;
  total: number;
  rate: number;
  status: string;
}

export class ProgressView {
  private readonly rows: Row[];
  private drawn = false;
  private lastDraw = 0;

  constructor(
    private readonly out: OutputStream,
    runs: Array<{ id: string; label: string }>,
  ) {
    this.rows = runs.map((run) => ({ ...run, step: 0, total: 0, rate: 0, status: 'queued' }));
  }

  update(event: LabEvent): void {
    if (event.type !== 'runProgress' && event.type !== 'runStatus') return;
    const row = this.rows.find((r) => r.id === event.runId);
    if (!row) return;
    if (event.type === 'runProgress') {
      row.step = event.progress.step;
      row.total = event.progress.totalSteps;
      row.rate = event.progress.stepsPerSecond;
    } else {
      const changed = row.status !== event.status;
      row.status = event.status;
      if (event.step) row.step = Math.max(row.step, event.step);
      if (!this.out.isTTY && changed) this.out.write(`${row.label}: ${event.status}${event.message ? ` — ${event.message}` : ''}${event.status !== 'running' ? ` (step ${row.step})` : ''}\n`);
    }
    if (this.out.isTTY && Date.now() - this.lastDraw > 100) this.draw();
  }

  finish(): void {
    if (this.out.isTTY) this.draw();
  }

  private draw(): void {
    this.lastDraw = Date.now();
    const width = 30;
    const labelWidth = Math.max(...this.rows.map((r) => r.label.length));
    const lines = this.rows.map((r) => {
      const done = r.total ? Math.round((width * r.step) / r.total) : 0;
      const bar = '█'.repeat(done) + '░'.repeat(width - done);
      const speed = r.rate ? `${r.rate.toFixed(0)} steps/s` : '';
      return `${r.label.padEnd(labelWidth)}  ${bar}  ${String(r.step).padStart(6)}/${r.total || '?'}  ${r.status.padEnd(11)} ${speed}`;
    });
    if (this.drawn) this.out.write(`\x1b[${lines.length}A`);
    this.out.write(lines.map((l) => `\x1b[2K${l}`).join('\n') + '\n');
    this.drawn = true;
  }
}
