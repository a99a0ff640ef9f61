// Canary strings sent through every way a report reaches the server (the no-JavaScript form and the
// JSON API, each for both kinds, plus refused submissions) must be found nowhere a thief or a curious
// operator could look: not in a dump of the database, not in the server's log, not in the raw files
// of the PostgreSQL data directory. Nor may the reporter's receipt. Controls prove each search works.
import { receiptLookupHash } from '../../crypto/receipt';
import { composeReportDocument } from '../../server/intake/report-form';
import { fixtureKey, type GoodKeyName } from '../helpers/keys';
import { submitThroughApi, submitThroughForm, type ReportContent } from '../helpers/report-client';
import { fieldText } from '../helpers/report-page';
import { canary, decryptCaseWithGpg, startReportScenario, type ReportScenario } from '../helpers/report-scenario';
import {
  checkpointAndFindDataDirectory,
  dumpDatabaseText,
  filesContaining,
  foundInDump,
} from '../helpers/storage-scan';

interface Stored {
  reference: string;
  receipt: string;
  reader: GoodKeyName;
  textCanary: string;
  fileCanary: string;
}

let scenario: ReportScenario;
const stored: Stored[] = [];
/** Every canary sent, stored or refused. */
const canaries: string[] = [];

beforeAll(async () => {
  scenario = await startReportScenario();
  const dave = scenario.members.dave!;
  for (const kind of ['security', 'coc'] as const) {
    for (const channel of ['form', 'api'] as const) {
      const textCanary = canary(`${channel}-${kind}`);
      const fileCanary = canary(`${channel}-${kind}-file`);
      canaries.push(textCanary, fileCanary);
      const content: ReportContent = {
        kind,
        fields: fieldText(kind, textCanary), // every field, "body" and "contact" included
        attachments: [{ filename: `evidence-${fileCanary}.txt`, data: Buffer.from(`attached ${fileCanary}\n`) }],
        involved: kind === 'coc' ? [dave.id] : [],
      };
      const submitted =
        channel === 'form'
          ? await submitThroughForm(scenario.server.url, content)
          : await submitThroughApi(scenario.server.url, {
              ...content,
              document: composeReportDocument(kind, content.fields, kind === 'coc' ? [dave.name] : []),
            });
      stored.push({ ...submitted, reader: kind === 'security' ? 'alice' : 'carol', textCanary, fileCanary });
    }
  }
  await submitRefused();
});

afterAll(async () => {
  await scenario?.close();
});

/** Submissions the server refuses, where error handling is the likeliest place for content to leak. */
async function submitRefused(): Promise<void> {
  const [noCsrf, notEncrypted, brokenJson] = [canary('no-csrf'), canary('not-encrypted'), canary('broken-json')];
  canaries.push(noCsrf, notEncrypted, brokenJson);
  const form = new FormData();
  form.append('kind', 'security');
  form.append('body', noCsrf);
  form.append('contact', noCsrf);
  expect((await fetch(`${scenario.server.url}/report`, { method: 'POST', body: form })).status).toBe(403);

  const post = (body: string) =>
    fetch(`${scenario.server.url}/api/reports`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body,
    });
  const fakeReporter = { publicKey: notEncrypted, lockedPrivateKey: notEncrypted, receiptLookup: 'a'.repeat(64) };
  expect((await post(JSON.stringify({ kind: 'security', reporter: fakeReporter, report: notEncrypted }))).status).toBe(
    400,
  );
  expect((await post(`{"kind":"security","report":"${brokenJson}`)).status).toBe(400);
}

describe('canaries sent through every server path stay encrypted', () => {
  test('control: every stored report and attachment decrypts, with its canaries, for a routed reader', async () => {
    expect(stored).toHaveLength(4);
    for (const report of stored) {
      const [text, file, ...rest] = await decryptCaseWithGpg(scenario.db, report.reference, report.reader);
      expect(rest).toEqual([]);
      expect(text!.data.toString('utf8')).toContain(`${report.textCanary}-contact`);
      expect(file!.data.toString('utf8')).toBe(`attached ${report.fileCanary}\n`);
    }
  });

  test('a dump of the database holds no canary and no receipt', async () => {
    const dump = await dumpDatabaseText(scenario.database.url);
    expect(foundInDump(dump, canaries)).toEqual([]);
    expect(
      foundInDump(
        dump,
        stored.map((s) => s.receipt),
      ),
    ).toEqual([]);

    // Controls: the search finds text columns (an e-mail) and bytea columns (each receipt's lookup hash).
    expect(foundInDump(dump, [fixtureKey('alice').email])).toEqual([fixtureKey('alice').email]);
    for (const { receipt } of stored)
      expect(dump).toContain(Buffer.from(await receiptLookupHash(receipt)).toString('hex'));
  });

  test("the server's log holds no canary and no receipt", () => {
    const log = scenario.server.logLines.join('');
    expect([...canaries, ...stored.map((s) => s.receipt)].filter((secret) => log.includes(secret))).toEqual([]);
  });

  test('after a CHECKPOINT, no file of the data directory holds a canary or a receipt', async () => {
    const dir = await checkpointAndFindDataDirectory(scenario.db);
    const email = fixtureKey('carol').email;
    const { hits, filesRead } = await filesContaining(dir, [...canaries, ...stored.map((s) => s.receipt), email]);
    expect(filesRead).toBeGreaterThan(10);
    expect(hits.filter((hit) => hit.needle !== email)).toEqual([]);
    // Control: the grep does see what is stored in the clear, such as a member's e-mail.
    expect(hits.some((hit) => hit.needle === email)).toBe(true);
  });
});
