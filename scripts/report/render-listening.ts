import { escapeHtml, plural, renderSvg, withDataTitles } from './html';
import {
  minutes,
  topArtistsByMonth,
  type ArtistChart,
  type Listening,
  type ListeningCounts,
  type ListeningDay,
} from './listening';

export const NO_PLAYS = 'No plays yet: run with me:recently-played or import your streaming history.';

const CELL = 18;
const YEAR_HEIGHT = CELL * 7;
const YEAR_GAP = 48;
const HEATMAP_TOP = 56;
const WIDTH = 1120;
const DARKEST = '#0b4d24';
const GREENS = ['#d7f5df', '#1db954', DARKEST];
const OTHER_COLOUR = '#b0b0b0';

/** One calendar per year, the newest on top: the year a reader usually looks for first. */
export function yearsOf(days: readonly ListeningDay[]): string[] {
  return [...new Set(days.map((day) => day.date.slice(0, 4)))].sort().reverse();
}

/**
 * Where the colour scale tops out: the 95th percentile of the days' minutes (nearest rank), so that
 * one marathon day does not leave every ordinary day the palest green; days above it get the darkest.
 */
export function colourScaleMax(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return Math.max(1, sorted[Math.ceil(sorted.length * 0.95) - 1] ?? 0);
}

/** Minutes per UTC day: an ECharts calendar heatmap, one calendar row per year. */
export function heatmapSvg(days: readonly ListeningDay[]): string {
  const years = yearsOf(days);
  const byYear = years.map((year) => days.filter((day) => day.date.startsWith(year)));
  const values = days.map((day) => minutes(day.ms));
  const top = colourScaleMax(values);
  const capped = values.some((value) => value > top);
  const svg = renderSvg(
    {
      visualMap: {
        type: 'continuous',
        min: 0,
        max: top,
        orient: 'horizontal',
        right: 40,
        top: 0,
        itemHeight: 200,
        text: [`${top}${capped ? '+' : ''} min`, '0'],
        calculable: false,
        inRange: { color: GREENS },
        // Nothing is below 0: out of range is above the cap, which is as dark as the scale goes.
        outOfRange: { color: DARKEST },
      },
      calendar: years.map((year, index) => ({
        range: year,
        top: HEATMAP_TOP + index * (YEAR_HEIGHT + YEAR_GAP),
        left: 64,
        cellSize: [CELL, CELL],
        dayLabel: { firstDay: 1, nameMap: 'EN' },
        monthLabel: { nameMap: 'EN' },
        yearLabel: { show: true },
        itemStyle: { color: '#f4f4f4', borderColor: '#fff', borderWidth: 2 },
        splitLine: { lineStyle: { color: '#999', width: 1 } },
      })),
      series: byYear.map((yearDays, index) => ({
        type: 'heatmap',
        name: years[index],
        coordinateSystem: 'calendar',
        calendarIndex: index,
        data: yearDays.map((day) => [day.date, minutes(day.ms)]),
      })),
    },
    { width: WIDTH, height: HEATMAP_TOP + years.length * (YEAR_HEIGHT + YEAR_GAP) },
  );
  return withDataTitles(svg, (series, item) => {
    const day = byYear[series]?.[item];
    return day && `${day.date}: ${minutes(day.ms)} min, ${plural(day.plays, 'play')}`;
  });
}

/** Minutes per UTC month, stacked by artist. */
export function artistChartSvg(chart: ArtistChart): string {
  const svg = renderSvg(
    {
      grid: { left: 64, right: 340, top: 24, bottom: 40 },
      legend: {
        orient: 'vertical',
        right: 10,
        top: 24,
        textStyle: { width: 300, overflow: 'truncate' },
        data: chart.series.map((series) => series.name),
      },
      xAxis: { type: 'category', data: chart.months, axisLabel: { color: '#444' } },
      yAxis: {
        type: 'value',
        name: 'minutes',
        axisLabel: { color: '#444' },
        splitLine: { lineStyle: { color: '#eee' } },
      },
      series: chart.series.map((series) => ({
        type: 'bar',
        name: series.name,
        stack: 'listening',
        barMaxWidth: 56,
        data: series.ms.map(minutes),
        ...(series.other ? { itemStyle: { color: OTHER_COLOUR } } : {}),
      })),
    },
    { width: WIDTH, height: 440 },
  );
  return withDataTitles(svg, (series, item) => {
    const entry = chart.series[series];
    const ms = entry?.ms[item];
    return entry && ms !== undefined
      ? `${entry.name} · ${chart.months[item] ?? ''}: ${minutes(ms)} min`
      : undefined;
  });
}

/** Says where every minute came from, so that an upper bound is never read as a measurement. */
export function rulesNote({ plays, byRule }: ListeningCounts): string {
  return (
    `Listening time of a play is <code>ms_played</code> (how long you listened, from your streaming-history export) ` +
    `when the row has it, else <code>duration_ms</code> (the track's length: the Web API does not say how long ` +
    `you listened, so this is an upper bound). Of ${plural(plays, 'play')}: ${byRule.ms_played} by ms_played, ` +
    `${byRule.duration_ms} by track length, ${byRule.unknown} of unknown length (counted as 0 min).`
  );
}

const hours = (ms: number) => (ms / 3_600_000).toFixed(1);

/** The listening-time section: heatmap, artists by month and how the numbers were made. */
export function listeningSection(listening: Listening, topArtists: number): string {
  const { days, months, counts } = listening;
  const first = days[0];
  const last = days.at(-1);
  if (!first || !last)
    return `<section id="listening">\n<h2>Listening time</h2>\n<p class="empty">${escapeHtml(NO_PLAYS)}</p>\n</section>`;
  const total = days.reduce((sum, day) => sum + day.ms, 0);
  const artists = topArtistsByMonth(months, topArtists);
  const named = artists.series.filter((series) => !series.other).length;
  return `<section id="listening">
<h2>Listening time</h2>
<p class="sub">${plural(counts.plays, 'play')} on ${plural(days.length, 'day')} (${escapeHtml(first.date)} to ${escapeHtml(last.date)}, UTC), ${hours(total)} h in all.</p>
<p class="note" id="listening-rules">${rulesNote(counts)}</p>
<h3>Minutes per day (UTC)</h3>
<figure id="listening-heatmap">${heatmapSvg(days)}</figure>
<h3>Top ${plural(named, 'artist')} by listening time, per month (UTC)</h3>
<figure id="artist-chart">${artistChartSvg(artists)}</figure>
<p class="note" id="artist-rule">The artist of a play is its first credited artist; plays from the streaming-history export name only the album's artist, so a featured artist's plays count for the album's.</p>
</section>`;
}
