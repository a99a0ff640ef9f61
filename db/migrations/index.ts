import type { Migration } from 'kysely';
import * as initial from './2026-11-24-01-initial';
import * as memberAuth from './2026-11-24-02-member-auth';
import * as caseWorkflow from './2026-11-24-03-case-workflow';
import * as auditLog from './2026-11-24-04-audit-log';
import * as mailIntake from './2026-11-24-05-mail-intake';
import * as caseListIndexes from './2026-11-24-06-case-list-indexes';
import * as signInClientThrottle from './2026-12-01-03-sign-in-client-throttle';
import * as randomReferences from './2026-12-01-01-random-references';
import * as replyAddresses from './2026-12-01-02-reply-addresses';
import * as caseReads from './2026-12-01-05-case-reads';
import * as submissionTokens from './2026-12-01-04-submission-tokens';
import * as governance from './2026-12-01-06-governance';
import * as conflicts from './2026-12-01-09-conflicts';
import * as decisions from './2026-12-01-08-decisions';
import * as sharedLimits from './2026-12-01-10-shared-limits';
import * as caseListSpeed from './2026-12-01-11-case-list-speed';
import * as governanceII from './2026-12-01-12-governance-ii';
import * as meetings from './2026-12-01-13-meetings';
import * as cncfRecord from './2026-12-01-16-cncf-record';
import * as transparency from './2026-12-01-17-transparency';
import * as distributors from './2026-12-01-19-distributors';
import * as retention from './2026-12-01-20-retention';
import * as advisory from './2026-12-01-18-advisory';
import * as srt from './2026-12-01-14-srt';
import * as memberListVersion from './2026-12-01-21-member-list-version';

/** Every migration, by its date-prefixed name. Listed statically so that no file-system scan is needed at run time. */
export const migrations: Record<string, Migration> = {
  '2026-11-24-01-initial': initial,
  '2026-11-24-02-member-auth': memberAuth,
  '2026-11-24-03-case-workflow': caseWorkflow,
  '2026-11-24-04-audit-log': auditLog,
  '2026-11-24-05-mail-intake': mailIntake,
  '2026-11-24-06-case-list-indexes': caseListIndexes,
  '2026-12-01-03-sign-in-client-throttle': signInClientThrottle,
  '2026-12-01-01-random-references': randomReferences,
  '2026-12-01-02-reply-addresses': replyAddresses,
  '2026-12-01-05-case-reads': caseReads,
  '2026-12-01-04-submission-tokens': submissionTokens,
  '2026-12-01-06-governance': governance,
  '2026-12-01-09-conflicts': conflicts,
  '2026-12-01-08-decisions': decisions,
  '2026-12-01-10-shared-limits': sharedLimits,
  '2026-12-01-11-case-list-speed': caseListSpeed,
  '2026-12-01-12-governance-ii': governanceII,
  '2026-12-01-13-meetings': meetings,
  '2026-12-01-16-cncf-record': cncfRecord,
  '2026-12-01-17-transparency': transparency,
  '2026-12-01-19-distributors': distributors,
  '2026-12-01-20-retention': retention,
  '2026-12-01-21-member-list-version': memberListVersion,
  '2026-12-01-18-advisory': advisory,
  '2026-12-01-14-srt': srt,
};
