import type { Migration } from 'kysely';
import * as initial from './2026-11-24-01-initial';
import * as caseWorkflow from './2026-11-24-03-case-workflow';

/** Every migration, by its date-prefixed name. Listed statically so that no file-system scan is needed at run time. */
export const migrations: Record<string, Migration> = {
  '2026-11-24-01-initial': initial,
  '2026-11-24-03-case-workflow': caseWorkflow,
};
