// The dashboard's charter page (issue 11 §3): every setting of the governance with its value, since
// when and by which decision, the majority a change needs, and a form per setting to propose a
// change (a change-setting decision on /dashboard/decisions). Approvers only. OWNER: helper "charter".
import { Router, type Request, type Response } from 'express';
import { CHARTER_SETTINGS, COMMITTEE_SETTING } from '../governance/charter-settings';
import { settingValueFromText } from '../governance/charter';
import { charterPage } from '../governance/charter-view';
import { committeeChangePayload } from '../governance/committee-setting';
import { propose, settleVisibleProposals } from '../governance/decisions';
import type { SignedInMember } from '../auth/signed-in-member';
import { DomainError, notFound } from '../errors';
import { badField } from '../field-errors';
import { TEXT_LIMITS, checkText } from '../text-checks';
import type { FormProblems } from './case-page';
import { formAction } from './case-form-action';
import { decisionContext } from './decision-context';
import type { GovernanceRouteDeps } from './governance-route-deps';
import { urlencodedForm } from './outside-keys';
import { noStore } from './protection';
import { requireSignedIn } from './request-context';

export function charterRoutes(deps: GovernanceRouteDeps): Router {
  const router = Router();

  const render = async (req: Request, res: Response, refused?: FormProblems) => {
    const member = requireSignedIn(req, res);
    const page = await charterPage(deps.db, member, deps.config);
    if (!page) throw notFound('There is no such page.');
    res.status(refused ? 400 : 200).render('dashboard/charter.njk', {
      member,
      charter: page,
      problems: refused?.problems ?? {},
      typed: refused?.typed ?? {},
      csrfToken: deps.csrf.tokenFor(req, res),
    });
  };

  router.get('/dashboard/charter', noStore, async (req, res) => {
    const member = requireSignedIn(req, res);
    // Lazy consensus that is due has passed: the page shows the value it set, not the old one.
    await settleVisibleProposals(deps.db, member, 'project', { now: deps.now(), events: deps.events });
    await render(req, res);
  });

  router.post(
    '/dashboard/charter/proposals',
    noStore,
    // The committee's armored key comes in this form.
    urlencodedForm({ limit: '1100kb' }),
    formAction({
      csrf: deps.csrf,
      field: 'setting',
      run: (member, body) => proposeChange(deps, member, body),
      done: () => '/dashboard/decisions',
      refused: (req, res, _m, refused) => render(req, res, refused),
    }),
  );
  return router;
}

/** One form's proposal: the setting's key and its new value (or the committee's address and key). */
async function proposeChange(
  deps: GovernanceRouteDeps,
  member: SignedInMember,
  body: Record<string, string>,
): Promise<void> {
  const key = body.key ?? '';
  const definition = CHARTER_SETTINGS.get(key);
  if (!definition) throw badField('setting', 'Choose a setting from this page.');
  const field = `setting-${key}`;
  try {
    let payload: unknown;
    if (key === COMMITTEE_SETTING) {
      payload = await committeeChangePayload(deps.db, {
        email: checkText(body.email ?? '', 'The e-mail', TEXT_LIMITS.email),
        publicKey: checkText(body.publicKey ?? '', 'The key', TEXT_LIMITS.publicKey),
        allowUidMismatch: body.allowUidMismatch === 'yes',
      });
    } else {
      const text = checkText(body.value ?? '', 'The value', 100);
      try {
        payload = definition.parse(settingValueFromText(definition, text));
      } catch (error) {
        throw badField(field, `${definition.label}: ${(error as Error).message}`);
      }
    }
    await propose(
      deps.db,
      member,
      'project',
      { kind: 'change-setting', subjectKey: key, payload },
      await decisionContext(deps),
    );
  } catch (error) {
    // Shown beside this setting's form: what was refused and why.
    if (error instanceof DomainError && (error.kind === 'bad-input' || error.kind === 'conflict'))
      throw badField(field, error.message, error);
    throw error;
  }
}
