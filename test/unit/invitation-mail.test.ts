// The mail with a sign-in link: a first invitation says "you are invited"; after `member reset-auth`
// it says that the sign-in was reset, what stopped working, and what to do if that was not asked for.
import { createMailTemplates } from '../../server/mail/compose';
import { loadConfig } from '../../server/config';

const templates = createMailTemplates(loadConfig({ DATA_DIR: '/nonexistent', PROJECT_NAME: 'Kmesh' }));
const values = {
  name: 'Frank',
  link: 'https://intake.example.org/invite/abc',
  expiresAt: new Date('2026-12-04T10:00:00Z'),
};

test('a first invitation invites', () => {
  const mail = templates.invitation({ ...values, purpose: 'invitation' });
  expect(mail.subject).toBe('[Kmesh] Your invitation to the confidential reports dashboard');
  expect(mail.text).toMatch(/^Hello Frank,\n\nYou are invited to the Kmesh confidential reports dashboard\./);
  expect(mail.text).toContain(`until Fri, 04 Dec 2026 10:00:00 GMT:\n\n${values.link}\n`);
});

test('a reset says it is a reset, never "you are invited"', () => {
  const mail = templates.invitation({ ...values, purpose: 'reset' });
  expect(mail.subject).toBe('[Kmesh] Your sign-in to the confidential reports dashboard was reset');
  expect(mail.text).not.toMatch(/invited|invitation/i);
  expect(mail.text).toMatch(/^Hello Frank,\n\nYour sign-in to the Kmesh confidential reports dashboard was reset/);
  expect(mail.text).toMatch(/old password,\s+authenticator and recovery codes no longer work/);
  expect(mail.text).toContain(`until Fri, 04 Dec 2026 10:00:00 GMT:\n\n${values.link}\n`);
  expect(mail.text).toMatch(/If you did not ask for this, tell the project's approvers at once/);
  expect(mail.text).toMatch(/\n\n-- \nKmesh confidential reports\n$/);
});
