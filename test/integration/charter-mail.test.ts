// A report by e-mail under a changed charter: the case's clocks and the acknowledgement's promise
// follow the charter's days to acknowledge, not the configuration's.
import { simpleParser } from 'mailparser';
import { writeCharterValue } from '../../db/charter.queries';
import { addBusinessDays } from '../../server/cases/clocks';
import { REFERENCE_PATTERN } from '../../server/cases/case-reference';
import { SECURITY, sendMail, startMailScenario, type MailScenario } from '../helpers/mail-scenario';

let s: MailScenario;
beforeAll(async () => {
  s = await startMailScenario();
});
afterAll(() => s?.close());

test('the acknowledgement promises, and the case’s clock counts, the charter’s days', async () => {
  await writeCharterValue(s.database.db, {
    key: 'acknowledge-days.security',
    value: 6,
    changedBy: 'decision',
    proposalId: null,
    at: new Date(),
  });
  const before = new Date();
  const result = await sendMail(s.smtp.port!, {
    from: 'reporter@example.net',
    to: SECURITY,
    raw: 'From: reporter@example.net\r\nSubject: a finding\r\nMessage-ID: <c1@example.net>\r\n\r\nreport\r\n',
  });
  const reference = new RegExp(`(${REFERENCE_PATTERN})`).exec(result.response)![1]!;
  let raw: Buffer | undefined;
  for (const until = Date.now() + 10_000; !raw && Date.now() < until; await new Promise((r) => setTimeout(r, 100)))
    raw = s.sink!.messages.find((m) => m.to.includes('reporter@example.net'))?.raw;
  const ack = await simpleParser(raw!);
  expect(ack.text).toContain('6 business days');
  const c = await s.database.db
    .selectFrom('cases')
    .select('acknowledge_due_at')
    .where('reference', '=', reference)
    .executeTakeFirstOrThrow();
  expect(Math.abs(c.acknowledge_due_at!.getTime() - addBusinessDays(before, 6).getTime())).toBeLessThan(60_000);
});
