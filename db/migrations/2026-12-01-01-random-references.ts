import { Kysely, sql } from 'kysely';

// Frozen in time: imports nothing from the app. Case references are random from now on (issue 7:
// PREFIX-YEAR-XXXX-XXXX, unique by the index cases.reference already has), so the per-kind, per-year
// sequences that numbered them go: their counters said how many cases each year brought. Cases filed
// before keep the references they were given.

export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    DO $$
    DECLARE s record;
    BEGIN
      FOR s IN SELECT sequencename FROM pg_sequences WHERE schemaname = current_schema() AND sequencename ~ '^case_number_(security|coc)_[0-9]{4}$' LOOP
        EXECUTE format('DROP SEQUENCE IF EXISTS %I', s.sequencename);
      END LOOP;
    END $$`.execute(db);
}

export async function down(): Promise<void> {
  // Nothing to bring back: a sequence made again would start at 1 and clash with the old numbers.
}
