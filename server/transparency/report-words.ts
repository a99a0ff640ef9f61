// The report as words, section by section: the one text the page's table, the CSV and the
// Markdown all show, so that the three can never disagree.
import type { TransparencyReport } from './report';
import { changeWords, figureWords } from './small-counts';
import { timeChangeWords, timeWords } from './response-times';

export interface WordsRow {
  key: string;
  label: string;
  current: string;
  previous: string;
  change: string;
  total: boolean;
}

export interface WordsSection {
  id: 'reports' | 'outcomes' | 'times';
  title: string;
  rows: WordsRow[];
}

export function reportSections(report: TransparencyReport): WordsSection[] {
  const t = report.threshold;
  const counts = (rows: TransparencyReport['reports']): WordsRow[] =>
    rows.map((r) => ({
      key: r.key,
      label: r.label,
      current: figureWords(r.current, t),
      previous: figureWords(r.previous, t),
      change: changeWords(r.change),
      total: r.total === true,
    }));
  return [
    { id: 'reports', title: 'Reports received, by kind and channel', rows: counts(report.reports) },
    { id: 'outcomes', title: 'Code of Conduct outcomes, by kind of remedy', rows: counts(report.outcomes) },
    {
      id: 'times',
      title: 'Response times',
      rows: report.times.map((r) => ({
        key: r.key,
        label: r.label,
        current: timeWords(r.current, t),
        previous: timeWords(r.previous, t),
        change: timeChangeWords(r.change),
        total: false,
      })),
    },
  ];
}

const DAY_MS = 24 * 3600 * 1000;
const dateWords = (d: Date) =>
  d.toLocaleDateString('en-GB', { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' });

/** What the figures cover, in one paragraph (the page, the Markdown). */
export function reportScope(report: TransparencyReport): string {
  const t = report.threshold;
  const last = new Date(report.period.end.getTime() - DAY_MS);
  return (
    `Reports received and Code of Conduct outcomes recorded from ${dateWords(report.period.start)} to ${dateWords(last)} (UTC), ` +
    `beside the previous period (${report.previous.label}). Counts from 1 to ${t - 1} are shown as “fewer than ${t}”; ` +
    `a total that includes one is not shown, nor is a change against such a figure. Medians are shown over ${t} cases or more. ` +
    `Times to acknowledge count the cases acknowledged in the period; outcomes and times to resolve the cases resolved in it.`
  );
}
