import * as echarts from 'echarts';
import { notableMovers, type Trend } from './trend';

const escapeHtml = (text: string) =>
  text.replace(
    /[&<>"']/g,
    (char) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[char] ?? char,
  );

/** The bump chart as static SVG (ECharts server-side rendering: no script in the page). */
export function bumpChartSvg(trend: Trend, size = { width: 1120, height: 560 }): string {
  const chart = echarts.init(null, null, { renderer: 'svg', ssr: true, ...size });
  const maxRank = Math.max(
    10,
    ...trend.tracks.flatMap((track) => track.ranks.filter((rank): rank is number => rank !== null)),
  );
  chart.setOption({
    animation: false,
    grid: { left: 48, right: 340, top: 24, bottom: 40 },
    xAxis: { type: 'category', data: trend.dates, boundaryGap: false, axisLabel: { color: '#444' } },
    yAxis: {
      type: 'value',
      inverse: true,
      min: 1,
      max: maxRank,
      name: 'rank',
      nameLocation: 'start',
      axisLabel: { color: '#444' },
      splitLine: { lineStyle: { color: '#eee' } },
    },
    series: trend.tracks.map((track) => ({
      type: 'line',
      name: track.label,
      data: track.ranks,
      connectNulls: false,
      symbolSize: 8,
      lineStyle: { width: 3 },
      endLabel: { show: true, formatter: '{a}', width: 300, overflow: 'truncate', fontSize: 12 },
      labelLayout: { moveOverlap: 'shiftY' },
      emphasis: { focus: 'series' },
    })),
  });
  const svg = chart.renderToSVGString();
  chart.dispose();
  return svg;
}

function moverRow(mover: ReturnType<typeof notableMovers>[number]): string {
  const badge =
    mover.kind === 'new'
      ? '<span class="new">NEW</span>'
      : mover.kind === 'dropped'
        ? '<span class="down">OUT</span>'
        : mover.kind === 'up'
          ? `<span class="up">▲ ${mover.change ?? 0}</span>`
          : `<span class="down">▼ ${Math.abs(mover.change ?? 0)}</span>`;
  return `<tr><td>${badge}</td><td>${mover.rank ?? '–'}</td><td>${mover.previousRank ?? '–'}</td><td>${escapeHtml(mover.label)}</td></tr>`;
}

/** A self-contained page: title, bump chart, movers table. Every text from the data is escaped. */
export function renderReport(trend: Trend, generatedAt: Date): string {
  const latest = trend.dates.at(-1) ?? '';
  const previous = trend.dates.at(-2);
  const movers = notableMovers(trend.movers, 15);
  const title = `${trend.sourceName}: rank over time`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>${escapeHtml(title)}</title>
<style>
  body { font-family: system-ui, 'Noto Sans', sans-serif; margin: 32px; color: #222; }
  h1 { font-size: 24px; margin: 0 0 4px; }
  p.sub { color: #666; margin: 0 0 16px; }
  table { border-collapse: collapse; margin-top: 16px; min-width: 640px; }
  th, td { text-align: left; padding: 6px 12px; border-bottom: 1px solid #eee; }
  .up { color: #0a7d32; font-weight: 600; } .down { color: #b3261e; font-weight: 600; }
  .new { background: #1db954; color: white; border-radius: 4px; padding: 1px 6px; font-size: 12px; }
</style>
</head>
<body>
<h1>${escapeHtml(title)}</h1>
<p class="sub">Top ${trend.tracks.length} of ${escapeHtml(latest)} across ${trend.dates.length} snapshots (${escapeHtml(trend.dates[0] ?? '')} to ${escapeHtml(latest)}). Generated ${escapeHtml(generatedAt.toISOString())}.</p>
<figure id="bump-chart">${bumpChartSvg(trend)}</figure>
<h2>Today's movers${previous ? ` (${escapeHtml(latest)} vs ${escapeHtml(previous)})` : ''}</h2>
${
  movers.length > 0
    ? `<table id="movers"><thead><tr><th>change</th><th>rank</th><th>before</th><th>track</th></tr></thead><tbody>
${movers.map(moverRow).join('\n')}
</tbody></table>`
    : '<p>No movement: run the pipeline for at least two dates.</p>'
}
</body>
</html>
`;
}
