/**
 * A chart's lines, bands, tooltip and followed cursor, drawn by us over ECharts' axes.
 *
 * Why not ECharts line series: a live redraw of one chart cost 7–10 ms (p95 up to 19), about 85 %
 * of it inside ECharts' setOption (option merge, a data store per series, point layout, zrender's
 * path objects), and those redraws, with a garbage collection landing in one, were the page's
 * longest tasks. The thinned points are already in pixels' reach: drawing them straight onto a
 * canvas is a fraction of a millisecond, and ECharts keeps what it is good at (axes, ticks, zoom,
 * the pointer line). Exports still go through ECharts series (lineOption.seriesOption), so an SVG
 * is vector.
 */
import type { EChartsType } from './echarts';
import { BAND_OPACITY, bandOutline, GRID, traceBandOutline, type ChartColors, type LineChartContent } from './lineOption';
import { dashPattern, pixelScale, traceLine } from './linePaint';

const DEFAULT_LINE_WIDTH = 1.6;

export interface LineLayer {
  /** Draws `content` with the axes `chart` has now (call right after its setOption). */
  paint(content: LineChartContent, chart: EChartsType): void;
  /** Shows `html` as the tooltip beside pixel (x, y), or hides it (null). */
  tooltip(html: string | null, x?: number, y?: number, colors?: ChartColors): void;
  /** A vertical line at pixel x, for a chart following another's pointer (null: none). */
  cursor(x: number | null, colors?: ChartColors): void;
  dispose(): void;
}

/** Adds the layer's canvas, tooltip and cursor line to `host` (the element ECharts draws in). */
export function createLineLayer(host: HTMLElement): LineLayer {
  if (getComputedStyle(host).position === 'static') host.style.position = 'relative';
  const canvas = document.createElement('canvas');
  // Above ECharts' canvas, below its events: the pointer still reaches the chart (zoom, drag).
  canvas.style.cssText = 'position:absolute;left:0;top:0;pointer-events:none;';
  canvas.setAttribute('aria-hidden', 'true');
  const tip = document.createElement('div');
  tip.className = 'chart-tooltip';
  tip.style.cssText = 'position:absolute;display:none;pointer-events:none;z-index:2;padding:6px 8px;border-radius:4px;border:1px solid;font-size:12px;line-height:1.5;white-space:nowrap;box-shadow:0 2px 6px rgba(0,0,0,.15);';
  const line = document.createElement('div');
  line.style.cssText = `position:absolute;display:none;pointer-events:none;width:1px;top:${GRID.top}px;`;
  host.append(canvas, line, tip);
  const ctx = canvas.getContext('2d')!;

  return {
    paint(content, chart) {
      const width = chart.getWidth();
      const height = chart.getHeight();
      const ratio = window.devicePixelRatio || 1;
      if (canvas.width !== Math.round(width * ratio) || canvas.height !== Math.round(height * ratio)) {
        canvas.width = Math.round(width * ratio);
        canvas.height = Math.round(height * ratio);
        canvas.style.width = `${width}px`;
        canvas.style.height = `${height}px`;
      }
      ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
      ctx.clearRect(0, 0, width, height);
      if (content.lines.length === 0 && content.bands.length === 0) return;
      const log = content.axes.log;
      const scale = pixelScale((point) => chart.convertToPixel({ gridIndex: 0 }, point) as number[], log);
      ctx.save();
      ctx.beginPath();
      ctx.rect(GRID.left, GRID.top, width - GRID.left - GRID.right, height - GRID.top - GRID.bottom);
      ctx.clip();
      ctx.globalAlpha = BAND_OPACITY;
      for (const band of content.bands) {
        ctx.beginPath();
        traceBandOutline(bandOutline(band, log, scale), ctx);
        ctx.fillStyle = band.color;
        ctx.fill();
      }
      ctx.globalAlpha = 1;
      ctx.lineJoin = 'bevel';
      for (const plotLine of content.lines) {
        const lineWidth = plotLine.width ?? DEFAULT_LINE_WIDTH;
        ctx.beginPath();
        traceLine(plotLine.points, scale, log, ctx);
        ctx.lineWidth = lineWidth;
        ctx.strokeStyle = plotLine.color;
        ctx.setLineDash(dashPattern(plotLine.dash, lineWidth));
        ctx.stroke();
      }
      ctx.restore();
    },

    tooltip(html, x = 0, y = 0, colors) {
      if (html === null || html === '') {
        tip.style.display = 'none';
        tip.replaceChildren();
        return;
      }
      tip.innerHTML = html;
      if (colors) {
        tip.style.background = colors.surface;
        tip.style.borderColor = colors.grid;
        tip.style.color = colors.text;
      }
      tip.style.display = 'block';
      // Right of the pointer, or left of it where the chart ends; kept inside the chart.
      const width = tip.offsetWidth;
      const height = tip.offsetHeight;
      const hostWidth = host.clientWidth;
      const left = x + 14 + width <= hostWidth ? x + 14 : Math.max(0, x - 14 - width);
      const top = Math.max(0, Math.min(y - height / 2, host.clientHeight - height));
      tip.style.left = `${left}px`;
      tip.style.top = `${top}px`;
    },

    cursor(x, colors) {
      if (x === null || !Number.isFinite(x)) {
        line.style.display = 'none';
        return;
      }
      if (colors) line.style.background = colors.muted;
      line.style.height = `${Math.max(0, host.clientHeight - GRID.top - GRID.bottom)}px`;
      line.style.left = `${Math.round(x)}px`;
      line.style.display = 'block';
    },

    dispose() {
      canvas.remove();
      line.remove();
      tip.remove();
    },
  };
}
