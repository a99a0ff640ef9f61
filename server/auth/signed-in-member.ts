import type { MemberRole } from '../../db/database';

/** The member a dashboard request acts for, as their session resolves them (sessions.ts); the use cases in cases/ take it to decide what they may read and do. */
export interface SignedInMember {
  id: string;
  name: string;
  email: string;
  role: MemberRole;
  sessionId: string;
}
