/**
 * ECharts, tree-shaken: only the line chart and the components the lab draws with (the full
 * bundle is ~1 MB); custom series draw the shaded bands. The SVG renderer is here for "export as
 * SVG" only; charts draw on canvas.
 */
import { use, init, connect, disconnect, type EChartsType } from 'echarts/core';
import { LineChart, BarChart, ScatterChart, CustomChart } from 'echarts/charts';
import { GridComponent, TooltipComponent, DataZoomInsideComponent, AxisPointerComponent, AriaComponent } from 'echarts/components';
import { CanvasRenderer, SVGRenderer } from 'echarts/renderers';

use([LineChart, BarChart, ScatterChart, CustomChart, GridComponent, TooltipComponent, DataZoomInsideComponent, AxisPointerComponent, AriaComponent, CanvasRenderer, SVGRenderer]);

export { init, connect, disconnect, type EChartsType };
