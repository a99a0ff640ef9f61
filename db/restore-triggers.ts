// The triggers a restore switches off while it loads rows, and puts back exactly as they were.
//
// COPY FROM fires INSERT triggers, and some of ours write rows of their own (a reader's copy of its
// case, the unread marks of case_reads): left on, the restore would hold rows nobody backed up, or
// none where the backup has them. ALTER TABLE … DISABLE TRIGGER is transactional, and the table's
// owner (who ran the migrations) may do it without being superuser; nobody else ever sees a table
// without its triggers, and a failed restore rolls the change back with everything else. Only
// INSERT triggers are touched: the audit log's UPDATE/DELETE/TRUNCATE guard stays on throughout.
import pg from 'pg';
import { qualifiedName } from './backup-snapshot';

type TriggerMode = 'O' | 'A' | 'R';
const ENABLE: Record<TriggerMode, string> = { O: 'ENABLE', A: 'ENABLE ALWAYS', R: 'ENABLE REPLICA' };

interface SwitchedOff {
  table: string;
  trigger: string;
  mode: TriggerMode;
}

export class InsertTriggers {
  private readonly switchedOff: SwitchedOff[] = [];

  constructor(private readonly client: pg.ClientBase) {}

  /** Switches off the table's enabled, user-defined triggers that fire on INSERT. */
  async disableOn(table: { schema: string; name: string }): Promise<void> {
    const name = qualifiedName(table);
    const found = await this.client.query<{ trigger: string; mode: TriggerMode }>(
      `SELECT tgname AS trigger, tgenabled AS mode FROM pg_trigger
        WHERE tgrelid = $1::regclass AND NOT tgisinternal AND tgenabled <> 'D' AND (tgtype & 4) <> 0
        ORDER BY tgname`,
      [name],
    );
    for (const { trigger, mode } of found.rows) {
      await this.client.query(`ALTER TABLE ${name} DISABLE TRIGGER ${pg.escapeIdentifier(trigger)}`);
      this.switchedOff.push({ table: name, trigger, mode });
    }
  }

  /** Puts every trigger back in the mode it had (ENABLE ALWAYS stays ALWAYS), and checks that it is. */
  async restore(): Promise<void> {
    for (const { table, trigger, mode } of this.switchedOff.splice(0)) {
      await this.client.query(`ALTER TABLE ${table} ${ENABLE[mode]} TRIGGER ${pg.escapeIdentifier(trigger)}`);
      const now = await this.client.query<{ mode: string }>(
        'SELECT tgenabled AS mode FROM pg_trigger WHERE tgrelid = $1::regclass AND tgname = $2',
        [table, trigger],
      );
      if (now.rows[0]?.mode !== mode) throw new Error(`Trigger ${trigger} on ${table} did not come back as it was`);
    }
  }
}
