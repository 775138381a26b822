import * as echarts from 'echarts';
import type { EChartsOption } from 'echarts';

export const escapeHtml = (text: string) =>
  text.replace(
    /[&<>"']/g,
    (char) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[char] ?? char,
  );

export const plural = (count: number, one: string, many = `${one}s`) =>
  `${count} ${count === 1 ? one : many}`;

/**
 * A chart as static SVG (ECharts server-side rendering: no script in the page). The chart is
 * disposed even when rendering throws: an undisposed instance keeps the process alive.
 */
export function renderSvg(option: EChartsOption, size: { width: number; height: number }): string {
  const chart = echarts.init(null, null, { renderer: 'svg', ssr: true, ...size });
  try {
    chart.setOption({ animation: false, ...option });
    return chart.renderToSVGString();
  } finally {
    chart.dispose();
  }
}

const DATA_ELEMENT = /<path\b([^>]*)><\/path>/g;
const attribute = (attributes: string, name: string) =>
  new RegExp(`\\b${name}="(\\d+)"`).exec(attributes)?.[1];

/**
 * Gives each drawn data item (a heatmap cell, a bar) a native SVG `<title>`: a static page has no
 * ECharts tooltip, and the title is what a reader hovers to see the exact value. ECharts' SSR marks
 * those elements with `ecmeta_ssr_type="chart"` and their series and data index (the metadata its
 * own SSR client hydrates from); legend marks are typed "legend" and left alone.
 */
export function withDataTitles(
  svg: string,
  titleOf: (seriesIndex: number, dataIndex: number) => string | undefined,
): string {
  return svg.replace(DATA_ELEMENT, (element, attributes: string) => {
    if (!attributes.includes('ecmeta_ssr_type="chart"')) return element;
    const series = attribute(attributes, 'ecmeta_series_index');
    const item = attribute(attributes, 'ecmeta_data_index');
    const title =
      series === undefined || item === undefined ? undefined : titleOf(Number(series), Number(item));
    return title === undefined ? element : `<path${attributes}><title>${escapeHtml(title)}</title></path>`;
  });
}
