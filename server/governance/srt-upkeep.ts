// The SRT's periodic upkeep (background.ts): the yearly review's reminders by the decisions clock,
// and the end of handovers whose case a staying SRT member can now read in full.
import type { Kysely } from 'kysely';
import type { Database } from '../../db/database';
import type { CaseEvents } from '../cases/case-events';
import { remindSrtReview } from './srt-review';
import { completeSrtHandovers } from './srt-team';

export async function srtUpkeep(
  db: Kysely<Database>,
  events: Pick<CaseEvents, 'srtReviewReminder'>,
  now: () => Date = () => new Date(),
): Promise<void> {
  await remindSrtReview(db, events, now());
  await completeSrtHandovers(db);
}
