// The operator's part in the charter (issue 11 §3): on a new installation, before any approver has
// signed in, `intake charter set` and `intake committee set` set the values; from then on the
// charter changes only by decision and the CLI only shows it.
import { isDeepStrictEqual } from 'node:util';
import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../../db/database';
import { governanceStarted, lockCharter, writeCharterValue } from '../../db/charter.queries';
import { appendAudit, BY_OPERATOR } from '../audit/audit-log';
import type { AuditJson } from '../audit/audit-chain';
import { badInput, conflict } from '../errors';
import { COMMITTEE_SETTING } from './charter-settings';
import { charterChanged } from './charter-cache';
import { currentSettingValue, describeSettingValue, settingDefinition, settingValueFromText } from './charter';

/** Refuses once an approver has signed in (enrolled, or a session on file) or any decision was proposed. */
export async function refuseOnceGovernanceStarted(trx: Transaction<Database>, what: string): Promise<void> {
  await lockCharter(trx);
  if (await governanceStarted(trx))
    throw conflict(
      `An approver has signed in: ${what} now change only by a decision of the approvers (the dashboard's charter page). The CLI only shows them: intake charter show.`,
    );
}

/** `intake charter set KEY VALUE`; returns the value in words. */
export async function setCharterByOperator(db: Kysely<Database>, key: string, text: string): Promise<string> {
  if (key === COMMITTEE_SETTING)
    throw badInput('Set the committee’s address and key with: intake committee set --email ADDRESS --key FILE');
  const definition = settingDefinition(key);
  let value: unknown;
  try {
    value = definition.parse(settingValueFromText(definition, text));
  } catch (error) {
    throw badInput(`${definition.label}: ${(error as Error).message}`);
  }
  await db.transaction().execute(async (trx) => {
    await refuseOnceGovernanceStarted(trx, 'the charter’s settings');
    const old = await currentSettingValue(trx, key, definition);
    if (isDeepStrictEqual(old, value)) return;
    await writeCharterValue(trx, { key, value, changedBy: 'operator', proposalId: null, at: new Date() });
    charterChanged();
    await appendAudit(trx, {
      ...BY_OPERATOR,
      action: 'charter.set-by-operator',
      details: { key, old: old as AuditJson, new: value as AuditJson },
    });
  });
  return describeSettingValue(definition, value);
}
