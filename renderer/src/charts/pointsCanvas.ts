/** 2-D scatter (and an optional decision-boundary backdrop) on a plain canvas: 1000 points need no chart library. */
import { RUN_PALETTE } from '../../../shared/series/colors';

export interface PointsView {
  /** Inputs are shown as x·scale + shift (what the network will see). */
  scale: number;
  shift: number;
  /** Class probabilities on a grid over the same range (row-major, res × res × classes). */
  boundary?: { resolution: number; classes: number; probs: ArrayLike<number>; range: [number, number] } | null;
}

/** Draws labelled points; returns the data range used for the axes. */
export function drawPoints(canvas: HTMLCanvasElement, points: ReadonlyArray<readonly [number, number, number]>, view: PointsView): [number, number] {
  const size = 320;
  const ratio = window.devicePixelRatio || 1;
  canvas.width = size * ratio;
  canvas.height = size * ratio;
  const ctx = canvas.getContext('2d')!;
  ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
  ctx.clearRect(0, 0, size, size);
  let extent = 0;
  for (const [x, y] of points) extent = Math.max(extent, Math.abs(x * view.scale + view.shift), Math.abs(y * view.scale + view.shift));
  const range: [number, number] = view.boundary?.range ?? [-(extent * 1.1 || 1), extent * 1.1 || 1];
  const toPx = (v: number) => ((v - range[0]) / (range[1] - range[0])) * size;
  if (view.boundary) {
    const { resolution: res, classes, probs } = view.boundary;
    const cell = size / res;
    for (let r = 0; r < res; r++) {
      for (let c = 0; c < res; c++) {
        let best = 0;
        for (let k = 1; k < classes; k++) if (probs[(r * res + c) * classes + k]! > probs[(r * res + c) * classes + best]!) best = k;
        ctx.globalAlpha = 0.25 * probs[(r * res + c) * classes + best]!;
        ctx.fillStyle = RUN_PALETTE[best % RUN_PALETTE.length]!;
        ctx.fillRect(c * cell, size - (r + 1) * cell, cell + 0.5, cell + 0.5);
      }
    }
    ctx.globalAlpha = 1;
  }
  ctx.strokeStyle = 'rgba(127,127,127,0.4)';
  ctx.beginPath();
  ctx.moveTo(toPx(0), 0);
  ctx.lineTo(toPx(0), size);
  ctx.moveTo(0, size - toPx(0));
  ctx.lineTo(size, size - toPx(0));
  ctx.stroke();
  for (const [x, y, label] of points) {
    ctx.fillStyle = RUN_PALETTE[label % RUN_PALETTE.length]!;
    ctx.beginPath();
    ctx.arc(toPx(x * view.scale + view.shift), size - toPx(y * view.scale + view.shift), 2.2, 0, Math.PI * 2);
    ctx.fill();
  }
  return range;
}
