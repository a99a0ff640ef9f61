// The transparency report of one completed period (issue 11 §5), in the form of the Kubernetes CoC
// committee's reports: counts only, each beside the previous period's and the change. Nothing here
// reads case content; every figure goes through the small-count rule (small-counts.ts).
import type { Kysely } from 'kysely';
import type { CaseChannel, CaseKind, Database } from '../../db/database';
import {
  acknowledgementTimes,
  countReports,
  countResolutions,
  resolutionTimes,
  type ResponseTime,
} from '../../db/transparency.queries';
import { COC_RESOLUTIONS } from '../cases/workflow';
import { previousPeriod, type ReportPeriod } from './periods';
import { cellFigure, changeBetween, totalFigure, type Change, type Figure } from './small-counts';
import { medianFigure, timeChange, type TimeChange, type TimeFigure } from './response-times';

export interface CountRow {
  /** Stable, for CSV consumers and tests: "reports.security.web", "outcomes.warning". */
  key: string;
  label: string;
  current: Figure;
  previous: Figure;
  change: Change;
  /** A total of the rows above it. */
  total?: boolean;
}

export interface TimeRow {
  key: string;
  label: string;
  current: TimeFigure;
  previous: TimeFigure;
  change: TimeChange;
}

export interface TransparencyReport {
  period: ReportPeriod;
  previous: ReportPeriod;
  threshold: number;
  reports: CountRow[];
  outcomes: CountRow[];
  times: TimeRow[];
}

const KINDS: readonly CaseKind[] = ['security', 'coc'];
const CHANNELS: readonly CaseChannel[] = ['web', 'web-no-js', 'email'];
export const KIND_LABELS: ReadonlyMap<CaseKind, string> = new Map([
  ['security', 'Security'],
  ['coc', 'Code of Conduct'],
]);
const CHANNEL_LABELS: ReadonlyMap<CaseChannel, string> = new Map([
  ['web', 'web form'],
  ['web-no-js', 'web form without JavaScript'],
  ['email', 'e-mail'],
]);
const OUTCOME_LABELS: ReadonlyMap<string, string> = new Map([
  ['no-violation', 'No violation found'],
  ['warning', 'Warning'],
  ['temporary-ban', 'Temporary ban'],
  ['permanent-ban', 'Permanent ban'],
  ['other', 'Other remedy'],
]);

interface PeriodCounts {
  reports: Map<string, number>;
  outcomes: Map<string, number>;
  acknowledged: Map<CaseKind, ResponseTime>;
  resolved: ResponseTime;
}

async function periodCounts(db: Kysely<Database>, period: ReportPeriod): Promise<PeriodCounts> {
  const reports = new Map<string, number>();
  for (const r of await countReports(db, period)) reports.set(`${r.kind}.${r.channel}`, r.count);
  const outcomes = new Map<string, number>();
  for (const r of await countResolutions(db, period)) outcomes.set(r.resolution, r.count);
  return {
    reports,
    outcomes,
    acknowledged: await acknowledgementTimes(db, period),
    resolved: await resolutionTimes(db, period),
  };
}

export async function transparencyReport(
  db: Kysely<Database>,
  period: ReportPeriod,
  threshold: number,
): Promise<TransparencyReport> {
  const previous = previousPeriod(period);
  const [now, before] = [await periodCounts(db, period), await periodCounts(db, previous)];
  const countRow = (key: string, label: string, figure: (c: PeriodCounts) => Figure, total = false): CountRow => {
    const [current, prior] = [figure(now), figure(before)];
    return { key, label, current, previous: prior, change: changeBetween(current, prior), ...(total ? { total } : {}) };
  };
  const cell = (c: PeriodCounts, kind: CaseKind, channel: CaseChannel) => c.reports.get(`${kind}.${channel}`) ?? 0;

  const reports: CountRow[] = [];
  for (const kind of KINDS) {
    for (const channel of CHANNELS)
      reports.push(
        countRow(`reports.${kind}.${channel}`, `${KIND_LABELS.get(kind)}, by ${CHANNEL_LABELS.get(channel)}`, (c) =>
          cellFigure(cell(c, kind, channel), threshold),
        ),
      );
    reports.push(
      countRow(
        `reports.${kind}`,
        `${KIND_LABELS.get(kind)}, all channels`,
        (c) =>
          totalFigure(
            CHANNELS.map((channel) => cell(c, kind, channel)),
            threshold,
          ),
        true,
      ),
    );
  }
  for (const channel of CHANNELS)
    reports.push(
      countRow(
        `reports.all.${channel}`,
        `All reports by ${CHANNEL_LABELS.get(channel)}`,
        (c) =>
          totalFigure(
            KINDS.map((kind) => cell(c, kind, channel)),
            threshold,
          ),
        true,
      ),
    );
  reports.push(countRow('reports.all', 'All reports', (c) => totalFigure([...c.reports.values()], threshold), true));

  // The fixed list first, then any other kind of remedy the column holds (recorded by a later version).
  const outcomeKinds = [
    ...COC_RESOLUTIONS,
    ...[...new Set([...now.outcomes.keys(), ...before.outcomes.keys()])]
      .filter((k) => !(COC_RESOLUTIONS as readonly string[]).includes(k))
      .sort(),
  ];
  const outcomes = outcomeKinds.map((kind) =>
    countRow(`outcomes.${kind}`, outcomeLabel(kind), (c) => cellFigure(c.outcomes.get(kind) ?? 0, threshold)),
  );
  outcomes.push(
    countRow(
      'outcomes.all',
      'All Code of Conduct outcomes',
      (c) => totalFigure([...c.outcomes.values()], threshold),
      true,
    ),
  );

  const timeRow = (key: string, label: string, time: (c: PeriodCounts) => ResponseTime | undefined): TimeRow => {
    const [current, prior] = [medianFigure(time(now), threshold), medianFigure(time(before), threshold)];
    return { key, label, current, previous: prior, change: timeChange(current, prior) };
  };
  const times = [
    ...KINDS.map((kind) =>
      timeRow(`acknowledge.${kind}`, `Median time to acknowledge, ${KIND_LABELS.get(kind)}`, (c) =>
        c.acknowledged.get(kind),
      ),
    ),
    timeRow('resolve.coc', 'Median time to resolve, Code of Conduct', (c) => c.resolved),
  ];
  return { period, previous, threshold, reports, outcomes, times };
}

function outcomeLabel(kind: string): string {
  return OUTCOME_LABELS.get(kind) ?? kind.replace(/-/g, ' ').replace(/^./, (c) => c.toUpperCase());
}
