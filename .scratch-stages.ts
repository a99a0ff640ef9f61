import fs from 'node:fs';
import crypto from 'node:crypto';
import { createMessage, encrypt, readKey, generateKey, type PublicKey } from 'openpgp';
import { messageConfig } from '/work/wt-speed2/crypto/openpgp-config';
import { openMail } from '/work/wt-speed2/server/smtp/open-mail';
import { reportFromMail } from '/work/wt-speed2/server/smtp/report-document';
import { createReporterKey } from '/work/wt-speed2/crypto/reporter-key';
import { readPublicKey, keyIdsOf } from '/work/wt-speed2/crypto/keys';
import { encryptSplit } from '/work/wt-speed2/crypto/split-message';
import { generateReceipt, receiptLookupHash } from '/work/wt-speed2/crypto/receipt';

async function main() {
  const { privateKey } = await generateKey({ type: 'ecc', curve: 'ed25519Legacy', userIDs: [{ name: 'i', email: 'security@x.org' }], format: 'object', config: messageConfig });
  const intakePub = privateKey.toPublic() as PublicKey;
  const readers: PublicKey[] = [];
  for (const n of ['alice', 'bob', 'carol', 'dave', 'erin']) readers.push((await readKey({ armoredKey: fs.readFileSync(`/work/wt-speed2/test/fixtures/keys/${n}.pub.asc`, 'utf8'), config: messageConfig })) as PublicKey);
  const mails: Buffer[] = [];
  for (let i = 0; i < 50; i++) {
    const text = `Bench report ${i}\n${crypto.randomBytes(3500).toString('hex').replace(/.{72}/g, '$&\n')}\n`;
    const entity = `Content-Type: text/plain; charset=utf-8\r\nSubject: bench ${i}\r\n\r\n${text.replace(/\n/g, '\r\n')}`;
    const armored = (await encrypt({ message: await createMessage({ text: entity }), encryptionKeys: intakePub, config: messageConfig })) as string;
    const b = `b${i}`;
    mails.push(Buffer.from([`From: f${i}@example.net`, 'To: security@x.org', 'Subject: ...', `Message-ID: <b-${i}@e.net>`, 'MIME-Version: 1.0', `Content-Type: multipart/encrypted; protocol="application/pgp-encrypted"; boundary="${b}"`, '', `--${b}`, 'Content-Type: application/pgp-encrypted', '', 'Version: 1', `--${b}`, 'Content-Type: application/octet-stream; name="encrypted.asc"', '', armored.replace(/\r?\n/g, '\r\n'), `--${b}--`, ''].join('\r\n')));
  }
  const t: Record<string, number> = {};
  const time = async <T>(k: string, f: () => Promise<T> | T): Promise<T> => { const s = process.hrtime.bigint(); const r = await f(); t[k] = (t[k] ?? 0) + Number(process.hrtime.bigint() - s) / 1e6; return r; };
  const N = Number(process.env.N ?? 200);
  for (let round = 0; round < 2; round++) {
    for (const k of Object.keys(t)) delete t[k];
    const cpu0 = process.cpuUsage();
    for (let i = 0; i < N; i++) {
      const raw = mails[i % mails.length]!;
      const opened = await time('openMail', () => openMail(raw, [privateKey]));
      const report = await time('reportFromMail', () => reportFromMail(opened, { kind: 'security', sender: 'a@b', recipients: ['security@x.org'], receivedAt: new Date(), tls: false }));
      const receipt = generateReceipt();
      const rk = await time('createReporterKey', () => createReporterKey(receipt, 'fast'));
      const rp = await time('readPublicKey(reporter)', () => readPublicKey(rk.publicKey));
      keyIdsOf(rp);
      await time('encryptSplit(6)', () => encryptSplit({ data: report.document, recipients: [...readers, rp] }));
      await time('receiptLookupHash', () => receiptLookupHash(receipt));
    }
    const cpu = process.cpuUsage(cpu0);
    console.log(`round ${round}: cpu/mail ${((cpu.user + cpu.system) / 1000 / N).toFixed(2)} ms`);
    for (const [k, v] of Object.entries(t)) console.log(`  ${k.padEnd(28)} ${(v / N).toFixed(2)} ms`);
  }
}
main();
