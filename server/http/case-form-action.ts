// A plain HTML form of the dashboard (the case page's, the decisions page's): checked for its CSRF
// token and its fields; done, back to its page (PRG); refused for bad input, the page again with the
// problem beside its field (`field` when the refusal names none) and what was typed.
import type { Request, Response } from 'express';
import type { Kysely } from 'kysely';
import type { Database } from '../../db/database';
import type { SignedInMember } from '../auth/signed-in-member';
import { parseCaseReference } from '../cases/case-reference';
import { DomainError, badInput, forbidden } from '../errors';
import { FieldError } from '../field-errors';
import { renderCasePage, type FormProblems } from './case-page';
import type { Csrf } from './protection';
import { requireSignedIn } from './request-context';

export type FormRun = (
  member: SignedInMember,
  body: Record<string, string>,
  req: Request,
  res: Response,
) => Promise<boolean | void>;

export function formAction(options: {
  csrf: Csrf;
  field: string;
  run: FormRun;
  /** Where a form that was done goes. */
  done: (req: Request) => string;
  /** The page again, with the problems. */
  refused: (req: Request, res: Response, member: SignedInMember, refused: FormProblems) => Promise<void>;
}) {
  return async (req: Request, res: Response) => {
    const member = requireSignedIn(req, res);
    if (!options.csrf.isValid(req)) throw forbidden('This form expired. Go back, reload the page and try again.');
    const body = Object.create(null) as Record<string, string>;
    try {
      for (const [name, value] of Object.entries((req.body ?? {}) as Record<string, unknown>)) {
        if (typeof value !== 'string')
          throw badInput('Each field of the form is sent once, as text. Reload the page and try again.');
        body[name] = value;
      }
      // A handler that rendered a page of its own (a confirmation) returns true.
      if ((await options.run(member, body, req, res)) === true) return;
    } catch (error) {
      if (!(error instanceof DomainError) || error.kind !== 'bad-input') throw error;
      const problems = Object.create(null) as Record<string, string>;
      problems[error instanceof FieldError ? error.field : options.field] = error.message;
      return options.refused(req, res, member, { problems, typed: body });
    }
    res.redirect(303, options.done(req));
  };
}

export type CaseFormRun = (
  member: SignedInMember,
  reference: string,
  body: Record<string, string>,
  req: Request,
  res: Response,
) => Promise<boolean | void>;

/** A form on the case page (its route has :reference). */
export function caseFormAction(
  deps: { db: Kysely<Database>; csrf: Csrf; now?: () => Date },
  field: string,
  run: CaseFormRun,
) {
  const reference = (req: Request) => String(req.params.reference);
  return formAction({
    csrf: deps.csrf,
    field,
    run: (member, body, req, res) => run(member, reference(req), body, req, res),
    done: (req) => `/dashboard/cases/${encodeURIComponent(parseCaseReference(reference(req)) ?? reference(req))}`,
    refused: (req, res, member, refused) => renderCasePage(deps, req, res, member, reference(req), refused),
  });
}
