// The report as files ready to publish: CSV (RFC 4180, by csv-stringify) and Markdown. The server's
// Markdown holds the counts only; the approvers' note is added in the browser that decrypts it.
import { stringify } from 'csv-stringify/sync';
import type { TransparencyReport } from './report';
import { reportScope, reportSections } from './report-words';

export const CSV_HEADER = ['Section', 'Item', 'Period', 'Figure', 'Previous period', 'Previous figure', 'Change'];

export function reportCsv(report: TransparencyReport): string {
  const rows = reportSections(report).flatMap((section) =>
    section.rows.map((r) => [
      section.title,
      r.label,
      report.period.label,
      r.current,
      report.previous.label,
      r.previous,
      r.change,
    ]),
  );
  return stringify([CSV_HEADER, ...rows], { record_delimiter: '\r\n' });
}

/** A table cell: no line breaks, and a pipe does not end the cell. */
const cell = (text: string) => text.replace(/[\r\n]+/g, ' ').replace(/\|/g, '\\|');

export function reportMarkdown(report: TransparencyReport): string {
  const lines = [`# Transparency report: ${report.period.label}`, '', reportScope(report), ''];
  for (const section of reportSections(report)) {
    lines.push(`## ${section.title}`, '');
    lines.push(`| Item | ${cell(report.period.label)} | ${cell(report.previous.label)} | Change |`);
    lines.push('| --- | ---: | ---: | ---: |');
    for (const r of section.rows) {
      const label = r.total ? `**${cell(r.label)}**` : cell(r.label);
      lines.push(`| ${label} | ${cell(r.current)} | ${cell(r.previous)} | ${cell(r.change)} |`);
    }
    lines.push('');
  }
  return lines.join('\n');
}

/** The download's name: "transparency-report-2026-01.csv". */
export function reportFileName(report: TransparencyReport, extension: 'csv' | 'md'): string {
  return `transparency-report-${report.period.id}.${extension}`;
}
