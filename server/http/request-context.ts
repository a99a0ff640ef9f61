import type { Request, Response } from 'express';
import type { SignedInMember } from '../auth/signed-in-member';
import { DomainError } from '../errors';

/** The member a dashboard request acts for, as the session middleware (session-middleware.ts) set it. */
export function signedInMember(res: Response): SignedInMember | undefined {
  return res.locals.member as SignedInMember | undefined;
}

/** The signed-in member, or a 401 the error handler turns into the sign-in page or a JSON error. */
export function requireSignedIn(_req: Request, res: Response): SignedInMember {
  const member = signedInMember(res);
  if (!member) throw new DomainError('unauthenticated', 'Please sign in.');
  return member;
}
