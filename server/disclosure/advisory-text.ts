// The advisory as the distributors read it: plain text rendered from the decrypted draft (in the
// reader's browser; the server never sees it), wrapped in the MIME entity that a PGP/MIME mail
// encrypts. Also the release notice (reference and date only) and the subjects, which the mail
// carries in the clear and so name the reference and the date only.
import type { DistributorSendingKind } from '../../db/database';
import type { AdvisoryDraft } from './advisory-draft';

export function distributorSubject(
  projectName: string,
  kind: DistributorSendingKind,
  reference: string,
  plannedOn: string,
): string {
  return kind === 'advance'
    ? `[${projectName}] Security advisory ${reference} under embargo until ${plannedOn}`
    : `[${projectName}] Release notice: ${reference} is disclosed on ${plannedOn}`;
}

/** The advisory as text: every field of the draft a distributor needs to ship the fix, under embargo. */
export function advisoryText(
  draft: AdvisoryDraft,
  context: { projectName: string; reference: string; plannedOn: string },
): string {
  const lines: string[] = [
    `${context.projectName} security advisory ${context.reference}`,
    `UNDER EMBARGO until ${context.plannedOn} (00:00 UTC). Do not disclose, publish or ship a visible fix before then.`,
    '',
    `Summary: ${oneLine(draft.summary)}`,
  ];
  const section = (title: string, body: string[]) => {
    if (body.length > 0) lines.push('', title, ...body);
  };
  section(
    'Affected packages:',
    (draft.affected ?? []).flatMap((p) => [
      `  ${oneLine(p.ecosystem)} ${oneLine(p.name)}`,
      ...(p.ranges ?? []).map(
        (r) =>
          `    introduced ${oneLine(r.introduced)}` +
          (r.fixed ? `, fixed in ${oneLine(r.fixed)}` : '') +
          (r.lastAffected ? `, last affected ${oneLine(r.lastAffected)}` : ''),
      ),
    ]),
  );
  section('Severity:', [
    ...(draft.cvss31 ? [`  CVSS 3.1: ${oneLine(draft.cvss31)}`] : []),
    ...(draft.cvss40 ? [`  CVSS 4.0: ${oneLine(draft.cvss40)}`] : []),
  ]);
  section(
    'Weaknesses:',
    (draft.cwes ?? []).map((c) => `  ${oneLine(c)}`),
  );
  section(
    'Aliases:',
    (draft.aliases ?? []).map((a) => `  ${oneLine(a)}`),
  );
  section('Details:', [draft.details ?? '']);
  section(
    'Credits:',
    (draft.credits ?? []).map((c) => `  ${oneLine(c.name)} (${oneLine(c.type)})`),
  );
  section(
    'References:',
    (draft.references ?? []).map((r) => `  ${oneLine(r.type)}: ${oneLine(r.url)}`),
  );
  lines.push('', `Planned disclosure: ${context.plannedOn}. A release notice follows 24 hours ahead.`);
  return lines.join('\r\n').replace(/\r?\n/g, '\r\n');
}

export function releaseNoticeText(context: { projectName: string; reference: string; plannedOn: string }): string {
  return [
    `${context.projectName} security advisory ${context.reference}: release notice.`,
    `The embargo ends and the advisory is published on ${context.plannedOn} (00:00 UTC), in about 24 hours.`,
  ].join('\r\n');
}

function oneLine(value: unknown): string {
  return String(value ?? '').replace(/[\r\n]+/g, ' ');
}
