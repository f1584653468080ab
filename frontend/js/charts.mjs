// The dashboard's charts (the widget's `view: "reports"` loads this module, and only that
// view): Apache ECharts with only the charts and components the dashboard draws, through
// its SVG renderer. The widget builds each chart's option; this draws it into an element
// of the widget's shadow root and keeps it sized.
import * as echarts from "echarts/core";
import { BarChart, LineChart, PieChart } from "echarts/charts";
import { AriaComponent, GridComponent, LegendComponent, TooltipComponent } from "echarts/components";
import { SVGRenderer } from "echarts/renderers";

echarts.use([BarChart, LineChart, PieChart, AriaComponent, GridComponent, LegendComponent, TooltipComponent, SVGRenderer]);

const observers = new WeakMap();

/** Draws `option` (JSON text) into `el`, replacing what it held; redrawn as `el` resizes. */
export function draw(el, option) {
  const chart = echarts.getInstanceByDom(el) || echarts.init(el, null, { renderer: "svg" });
  chart.setOption(JSON.parse(option), true);
  if (!observers.has(el)) {
    const observer = new ResizeObserver(() => chart.resize());
    observer.observe(el);
    observers.set(el, observer);
  }
}

/** Lets `el`'s chart go. */
export function dispose(el) {
  observers.get(el)?.disconnect();
  observers.delete(el);
  echarts.getInstanceByDom(el)?.dispose();
}
