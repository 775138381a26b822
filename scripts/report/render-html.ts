import { escapeHtml, renderSvg } from './html';
import type { Listening } from './listening';
import { listeningSection } from './render-listening';
import { notableMovers, type Trend } from './trend';

export const NO_TOP_TRACKS =
  'No rank-over-time chart: there is no top_tracks data yet. Run a ranked source, e.g. npm run local -- --source me:top-tracks:short_term.';

/** The bump chart as static SVG (ECharts server-side rendering: no script in the page). */
export function bumpChartSvg(trend: Trend, size = { width: 1120, height: 560 }): string {
  const maxRank = Math.max(
    10,
    ...trend.tracks.flatMap((track) => track.ranks.filter((rank): rank is number => rank !== null)),
  );
  return renderSvg(
    {
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
    },
    size,
  );
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

/** Title, bump chart and movers of one source. */
function rankSection(trend: Trend, generatedAt: Date): string {
  const latest = trend.dates.at(-1) ?? '';
  const previous = trend.dates.at(-2);
  const movers = notableMovers(trend.movers, 15);
  return `<h1>${escapeHtml(`${trend.sourceName}: rank over time`)}</h1>
<p class="sub">Top ${trend.tracks.length} of ${escapeHtml(latest)} across ${trend.dates.length} snapshots (${escapeHtml(trend.dates[0] ?? '')} to ${escapeHtml(latest)}). Generated ${escapeHtml(generatedAt.toISOString())}.</p>
<figure id="bump-chart">${bumpChartSvg(trend)}</figure>
<h2>Today's movers${previous ? ` (${escapeHtml(latest)} vs ${escapeHtml(previous)})` : ''}</h2>
${
  movers.length > 0
    ? `<table id="movers"><thead><tr><th>change</th><th>rank</th><th>before</th><th>track</th></tr></thead><tbody>
${movers.map(moverRow).join('\n')}
</tbody></table>`
    : '<p>No movement: run the pipeline for at least two dates.</p>'
}`;
}

export const LISTENING_ONLY_TITLE = 'Spotify listening report';

/** The page without top_tracks: one line where the chart would be, saying why it is missing. */
function missingRankSection(generatedAt: Date): string {
  return `<h1>${escapeHtml(LISTENING_ONLY_TITLE)}</h1>
<p class="sub">Generated ${escapeHtml(generatedAt.toISOString())}.</p>
<h2>Rank over time</h2>
<p class="empty" id="no-top-tracks">${escapeHtml(NO_TOP_TRACKS)}</p>`;
}

export interface ReportContent {
  /** The rank-over-time chart's data; undefined when there is no top_tracks data. */
  readonly trend: Trend | undefined;
  readonly listening: Listening;
  /** How many artists the artists-by-month chart names. */
  readonly topArtists: number;
  readonly generatedAt: Date;
}

/** A self-contained page: rank over time and movers, then listening time. Every text from the data is escaped. */
export function renderReport({ trend, listening, topArtists, generatedAt }: ReportContent): string {
  const title = trend ? `${trend.sourceName}: rank over time` : LISTENING_ONLY_TITLE;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>${escapeHtml(title)}</title>
<style>
  body { font-family: system-ui, 'Noto Sans', sans-serif; margin: 32px; color: #222; }
  h1 { font-size: 24px; margin: 0 0 4px; }
  h3 { font-size: 16px; margin: 20px 0 4px; }
  p.sub { color: #666; margin: 0 0 16px; }
  p.note { color: #555; font-size: 13px; max-width: 1100px; }
  p.empty { color: #555; font-style: italic; }
  figure { margin: 0; }
  table { border-collapse: collapse; margin-top: 16px; min-width: 640px; }
  th, td { text-align: left; padding: 6px 12px; border-bottom: 1px solid #eee; }
  .up { color: #0a7d32; font-weight: 600; } .down { color: #b3261e; font-weight: 600; }
  .new { background: #1db954; color: white; border-radius: 4px; padding: 1px 6px; font-size: 12px; }
</style>
</head>
<body>
${trend ? rankSection(trend, generatedAt) : missingRankSection(generatedAt)}
${listeningSection(listening, topArtists)}
</body>
</html>
`;
}
