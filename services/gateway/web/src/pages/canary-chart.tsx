import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

/** The two sides' colours, read from the theme so the charts follow light and dark. */
function sideColours(): { baseline: string; canary: string; text: string; grid: string } {
  const style = getComputedStyle(document.documentElement);
  const read = (name: string, fallback: string) => style.getPropertyValue(name).trim() || fallback;
  return {
    baseline: read('--baseline', '#0b63c5'),
    canary: read('--canary', '#d9480f'),
    text: read('--muted', '#5b6470'),
    grid: read('--border', '#d5dae1'),
  };
}

/**
 * One uPlot chart, baseline against canary: lines over time, or bars side by side per bin. Sized to
 * its container and redrawn when it resizes.
 */
export function CanaryChart(props: {
  kind: 'time' | 'histogram';
  data: [number[], Array<number | null>, Array<number | null>];
  label: string;
  xLabel: string;
  yLabel: string;
}) {
  const holder = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const element = holder.current;
    if (!element) return;
    const colours = sideColours();
    const bars = props.kind === 'histogram';
    const side = (label: string, stroke: string, align: -1 | 1): uPlot.Series => ({
      label,
      stroke,
      width: bars ? 1 : 2,
      fill: bars ? `${stroke}99` : undefined,
      points: { show: !bars && props.data[0].length < 60 },
      ...(bars ? { paths: uPlot.paths.bars!({ size: [0.45, 40], align }) } : {}),
      spanGaps: !bars,
    });
    const axis = (label: string): uPlot.Axis => ({
      label,
      stroke: colours.text,
      grid: { stroke: colours.grid, width: 1 },
      ticks: { stroke: colours.grid, width: 1 },
    });
    const chart = new uPlot(
      {
        width: Math.max(280, element.clientWidth),
        height: 240,
        scales: { x: { time: false } },
        axes: [axis(props.xLabel), axis(props.yLabel)],
        series: [
          { label: props.xLabel },
          side('baseline', colours.baseline, -1),
          side('canary', colours.canary, 1),
        ],
        legend: { show: true },
      },
      props.data,
      element,
    );
    const observer = new ResizeObserver(() =>
      chart.setSize({ width: Math.max(280, element.clientWidth), height: 240 }),
    );
    observer.observe(element);
    return () => {
      observer.disconnect();
      chart.destroy();
    };
  }, [props.kind, props.data]);
  return <div class="chart" ref={holder} role="img" aria-label={props.label} data-chart={props.kind} />;
}
