// What the approvers' transparency page shows, and the downloads, for one completed period. Approvers
// only: the counts cover every case, also those a member may not read. The audit records each download.
import type { Kysely } from 'kysely';
import type { Database } from '../../db/database';
import { earliestCaseAt } from '../../db/transparency.queries';
import { appendAudit } from '../audit/audit-log';
import type { SignedInMember } from '../auth/signed-in-member';
import type { Config } from '../config';
import { readCharter } from '../governance/charter';
import { completedPeriods, parsePeriod, type ReportPeriod } from './periods';
import { transparencyReport } from './report';
import { reportChartSvg } from './report-chart';
import { reportCsv, reportFileName, reportMarkdown } from './report-files';
import { reportScope, reportSections } from './report-words';

type Deps = { db: Kysely<Database>; config: Config; now: Date };

export const isApprover = (member: SignedInMember | undefined): member is SignedInMember => member?.role === 'approver';

/** The period a request names, checked against the charter's period length and the clock. */
export async function requestedPeriod(
  deps: Deps,
  value: unknown,
): Promise<{ period: ReportPeriod; threshold: number }> {
  const { transparency } = await readCharter(deps.db, deps.config);
  return {
    period: parsePeriod(value, deps.now, transparency.periodMonths),
    threshold: transparency.smallCountThreshold,
  };
}

/** The periods the page offers. */
export async function offeredPeriods(deps: Deps): Promise<ReportPeriod[]> {
  const { transparency } = await readCharter(deps.db, deps.config);
  return completedPeriods(deps.now, transparency.periodMonths, await earliestCaseAt(deps.db));
}

export async function transparencyPageModel(deps: Deps, period: ReportPeriod, threshold: number) {
  const report = await transparencyReport(deps.db, period, threshold);
  return {
    period,
    previous: report.previous,
    threshold,
    scope: reportScope(report),
    sections: reportSections(report),
    chart: reportChartSvg(report),
  };
}

export interface ReportFile {
  name: string;
  contentType: string;
  text: string;
}

/** A download of the report (counts only), recorded in the audit log. */
export async function exportReport(
  deps: Deps,
  member: SignedInMember,
  period: ReportPeriod,
  threshold: number,
  format: 'csv' | 'md',
): Promise<ReportFile> {
  const report = await transparencyReport(deps.db, period, threshold);
  await appendAudit(deps.db, {
    caseId: null,
    actorMemberId: member.id,
    action: 'transparency.exported',
    details: { period: period.id, months: period.months, format },
  });
  return format === 'csv'
    ? { name: reportFileName(report, 'csv'), contentType: 'text/csv; charset=utf-8', text: reportCsv(report) }
    : { name: reportFileName(report, 'md'), contentType: 'text/markdown; charset=utf-8', text: reportMarkdown(report) };
}
