import { MIN_DELEGATED_SRT, routeReport, srtStatus, type RoutableMember } from '../../server/governance/routing';
import { DomainError } from '../../server/errors';
import type { MemberRole } from '../../db/database';

const member = (id: string, role: MemberRole, onSrt = role === 'srt'): RoutableMember => ({
  id,
  name: id,
  role,
  onSrt,
});
const ids = (members: readonly RoutableMember[]) => members.map((m) => m.id).sort();

const approvers = [member('carol', 'approver'), member('dave', 'approver'), member('erin', 'approver')];
const liaison = member('frank', 'liaison');
const alice = member('alice', 'srt');
const bob = member('bob', 'srt');

function domainError(run: () => unknown): DomainError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(DomainError);
    return error as DomainError;
  }
  throw new Error('expected a DomainError, nothing was thrown');
}

describe('security reports', () => {
  test('with no SRT go to the approvers, who are the SRT themselves', () => {
    expect(ids(routeReport('security', [...approvers, liaison]))).toEqual(['carol', 'dave', 'erin']);
    expect(srtStatus([...approvers, liaison])).toMatchObject({ delegated: false, warning: null });
  });

  test('with a one-person SRT go to that member and the approvers, with a governance warning', () => {
    expect(ids(routeReport('security', [...approvers, alice, liaison]))).toEqual(['alice', 'carol', 'dave', 'erin']);
    const status = srtStatus([...approvers, alice]);
    expect(status.delegated).toBe(true);
    expect(status.warning).toMatch(/at least 2/);
  });

  test(`with ${MIN_DELEGATED_SRT} or more SRT members go to the SRT only`, () => {
    expect(MIN_DELEGATED_SRT).toBe(2);
    expect(ids(routeReport('security', [...approvers, alice, bob, liaison]))).toEqual(['alice', 'bob']);
    expect(ids(routeReport('security', [...approvers, alice, bob, member('gina', 'srt')]))).toEqual([
      'alice',
      'bob',
      'gina',
    ]);
    expect(srtStatus([...approvers, alice, bob]).warning).toBeNull();
  });

  test('follow the team on record, not the role: an srt account off the team gets nothing, an approver on it does', () => {
    const offTeam = member('hal', 'srt', false);
    const carolOnTeam = member('carol', 'approver', true);
    const team = [carolOnTeam, approvers[1]!, approvers[2]!, alice, offTeam];
    expect(ids(routeReport('security', team))).toEqual(['alice', 'carol']);
    expect(srtStatus(team)).toMatchObject({ delegated: true, warning: null });
    // A liaison is never on the team, even if a row says so.
    expect(ids(routeReport('security', [...approvers, member('frank', 'liaison', true), alice]))).toEqual([
      'alice',
      'carol',
      'dave',
      'erin',
    ]);
  });

  test('cannot name anyone as involved', () => {
    expect(domainError(() => routeReport('security', approvers, ['carol'])).kind).toBe('bad-input');
  });

  test('with nobody on file → not-configured', () => {
    expect(domainError(() => routeReport('security', [liaison])).kind).toBe('not-configured');
  });
});

describe('Code of Conduct reports', () => {
  const everyone = [...approvers, alice, bob, liaison];

  test('go to every approver, never to the SRT', () => {
    expect(ids(routeReport('coc', everyone))).toEqual(['carol', 'dave', 'erin']);
  });

  test('go to the approvers minus those named as involved', () => {
    expect(ids(routeReport('coc', everyone, ['dave']))).toEqual(['carol', 'erin']);
    expect(ids(routeReport('coc', everyone, ['carol', 'erin']))).toEqual(['dave']);
  });

  test('naming someone who is not an approver → bad-input', () => {
    for (const notAnApprover of ['alice', 'frank', 'nobody']) {
      expect(domainError(() => routeReport('coc', everyone, [notAnApprover])).kind).toBe('bad-input');
    }
  });

  test('naming every approver → bad-input that points to the CNCF Code of Conduct Committee', () => {
    const error = domainError(() => routeReport('coc', everyone, ['carol', 'dave', 'erin']));
    expect(error.kind).toBe('bad-input');
    expect(error.message).toMatch(/CNCF Code of Conduct Committee/);
    expect(error.message).toContain('conduct@cncf.io');
  });

  test('with no approver on file → not-configured', () => {
    expect(domainError(() => routeReport('coc', [alice, bob, liaison])).kind).toBe('not-configured');
  });
});

describe('liaisons', () => {
  test('are never routed a new report of either kind', () => {
    const members = [...approvers, alice, liaison, member('frank2', 'liaison')];
    for (const kind of ['security', 'coc'] as const) {
      expect(ids(routeReport(kind, members)).filter((id) => id.startsWith('frank'))).toEqual([]);
    }
    expect(ids(routeReport('security', [...approvers, alice, bob, liaison]))).not.toContain('frank');
  });
});
