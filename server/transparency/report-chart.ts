// The report's chart, drawn here as inline SVG (no script): a pair of bars per count, this period
// and the previous one. A small count has no bar (its length would tell it) but its words; the
// table beside the chart holds the same figures as text.
import type { CountRow, TransparencyReport } from './report';
import { figureWords, type Figure } from './small-counts';

const WIDTH = 640;
const LABEL_WIDTH = 300;
const BAR_AREA = 250;
const BAR = 12;
const ROW = 2 * BAR + 14;
const HEADING = 30;

const escape = (text: string) =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

export function reportChartSvg(report: TransparencyReport): string {
  const groups = [
    { title: 'Reports received', rows: report.reports.filter((r) => !r.total) },
    { title: 'Code of Conduct outcomes', rows: report.outcomes.filter((r) => !r.total) },
  ];
  const exact = groups.flatMap((g) => g.rows.flatMap((r) => [r.current, r.previous])).map(valueOf);
  const scale = Math.max(1, ...exact.filter((v): v is number => v !== null));
  const parts: string[] = [];
  let y = 40;
  for (const group of groups) {
    parts.push(`<text x="0" y="${y + 16}" class="chart-heading" font-weight="bold">${escape(group.title)}</text>`);
    y += HEADING;
    for (const row of group.rows) {
      parts.push(rowBars(row, y, scale, report));
      y += ROW;
    }
  }
  const height = y + 10;
  const title = `Transparency report, ${report.period.label}, against ${report.previous.label}`;
  const legend =
    `<rect x="0" y="8" width="14" height="${BAR}" class="bar-current" fill="#1f4e79"/>` +
    `<text x="20" y="18">${escape(report.period.label)}</text>` +
    `<rect x="260" y="8" width="14" height="${BAR}" class="bar-previous" fill="#9dc3e6"/>` +
    `<text x="280" y="18">${escape(report.previous.label)}</text>`;
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-labelledby="chart-title chart-desc" ` +
    `viewBox="0 0 ${WIDTH} ${height}" width="100%" font-family="sans-serif" font-size="12" data-transparency-chart="">` +
    `<title id="chart-title">${escape(title)}</title>` +
    `<desc id="chart-desc">Bars for each count of this period and of the previous one; the table below gives the same figures as text.</desc>` +
    legend +
    parts.join('') +
    `</svg>`
  );
}

function valueOf(figure: Figure): number | null {
  return figure.shown === 'exact' ? figure.value : null;
}

function rowBars(row: CountRow, y: number, scale: number, report: TransparencyReport): string {
  const bar = (figure: Figure, top: number, cls: string, fill: string, period: string) => {
    const value = valueOf(figure);
    const width = value === null ? 0 : Math.round((value / scale) * BAR_AREA);
    const words = figureWords(figure, report.threshold);
    return (
      `<rect x="${LABEL_WIDTH}" y="${top}" width="${width}" height="${BAR}" class="${cls}" fill="${fill}">` +
      `<title>${escape(`${row.label}, ${period}: ${words}`)}</title></rect>` +
      `<text x="${LABEL_WIDTH + width + 6}" y="${top + BAR - 2}" font-size="11">${escape(words)}</text>`
    );
  };
  return (
    `<g data-chart-row="${escape(row.key)}">` +
    `<text x="0" y="${y + BAR + 4}">${escape(row.label)}</text>` +
    bar(row.current, y, 'bar-current', '#1f4e79', report.period.label) +
    bar(row.previous, y + BAR + 2, 'bar-previous', '#9dc3e6', report.previous.label) +
    `</g>`
  );
}
