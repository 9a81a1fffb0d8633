/**
 * ECharts, tree-shaken: only the line chart and the components the lab draws with (the full
 * bundle is ~1 MB); custom series draw the shaded bands. The SVG renderer is here for "export as
 * SVG" only; charts draw on canvas.
 */
import { use, init, connect, disconnect, graphic, type EChartsType } from 'echarts/core';
import { LineChart, BarChart, ScatterChart, CustomChart } from 'echarts/charts';
import { GridComponent, TooltipComponent, DataZoomInsideComponent, AxisPointerComponent, AriaComponent } from 'echarts/components';
import { CanvasRenderer, SVGRenderer } from 'echarts/renderers';
import { BAND_SHAPE, traceBandOutline } from './lineOption';

use([LineChart, BarChart, ScatterChart, CustomChart, GridComponent, TooltipComponent, DataZoomInsideComponent, AxisPointerComponent, AriaComponent, CanvasRenderer, SVGRenderer]);

/** The shape band series draw (lineOption.bandSeries): a filled outline read from one flat array. */
graphic.registerShape(
  BAND_SHAPE,
  graphic.extendShape({
    type: BAND_SHAPE,
    shape: { outline: [] as ArrayLike<number> },
    buildPath: (path, shape) => traceBandOutline((shape as { outline: ArrayLike<number> }).outline, path),
  }),
);

export { init, connect, disconnect, graphic, type EChartsType };
