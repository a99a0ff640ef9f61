import type { Request, Response } from 'express';
import type { MemberRole } from '../../db/database';
import { DomainError } from '../errors';

/** The member a dashboard request acts for, set by the session middleware (server/auth/). */
export interface SignedInMember {
  id: string;
  name: string;
  email: string;
  role: MemberRole;
  sessionId: string;
}

export function signedInMember(res: Response): SignedInMember | undefined {
  return res.locals.member as SignedInMember | undefined;
}

/** The signed-in member, or a 401 the error handler turns into the sign-in page or a JSON error. */
export function requireSignedIn(_req: Request, res: Response): SignedInMember {
  const member = signedInMember(res);
  if (!member) throw new DomainError('unauthenticated', 'Please sign in.');
  return member;
}
