// The dashboard's bundle: the key page, the case view, the key shared across tabs, and locking it on sign-out. Pages work
// without it for everything that does not need a private key.
import { startCaseView, startReopenForm } from './case-view';
import { startKeyPage } from './key-page';
import { startMeetingMinutes } from './meeting-minutes';
import { startCncfRecord } from './cncf-record';
import { startTransparencyNote } from './transparency-note';
import { startEmbargoSection } from './distributors';
import { fulfilPendingGrants } from './grants';
import { lockSessionKey, onUnlockedElsewhere, sessionKey, shareKeyWithOtherTabs } from './keyring';

// Signing out (here or everywhere) locks the key this tab unlocked before the form is sent: unlocked
// "for the session" means the member's session, not the life of the tab.
for (const signOut of document.querySelectorAll<HTMLFormElement>(
  'form[action="/signout"], form[action="/signout/everywhere"]',
)) {
  signOut.addEventListener('submit', (event) => {
    event.preventDefault();
    void lockSessionKey()
      .catch(() => undefined)
      .finally(() => signOut.submit());
  });
}

const keyring = document.querySelector<HTMLElement>('[data-keyring]');
if (keyring) void startKeyPage(keyring);

const caseView = document.querySelector<HTMLElement>('[data-case-view]');
const email = document.querySelector<HTMLElement>('[data-member-email]')?.dataset.memberEmail;
if (email) shareKeyWithOtherTabs(email);
if (caseView && email) void startCaseView(caseView, email);
const embargo = document.querySelector<HTMLElement>('[data-embargo]');
if (embargo && email) startEmbargoSection(embargo, email);
const reopen = document.querySelector<HTMLFormElement>('form[data-reopen]');
if (reopen && caseView) startReopenForm(reopen, caseView.dataset.reference ?? '');
if (caseView && document.querySelector('form[data-meeting-minutes]')) startMeetingMinutes(caseView);
const cncfRecord = document.querySelector<HTMLElement>('[data-cncf-record]');
if (cncfRecord) startCncfRecord(cncfRecord);
const transparencyNote = document.querySelector<HTMLElement>('[data-transparency-note]');
if (transparencyNote && email) void startTransparencyNote(transparencyNote, email);
const advisory = document.querySelector<HTMLElement>('[data-advisory]');
// Loaded only on a security case's page: the exports' code and CWE's list are a chunk of their own.
if (advisory && email)
  void import('./advisory').then(({ startAdvisory }) => startAdvisory(advisory, email, caseView?.dataset.csrf ?? ''));

// Every dashboard page with the key unlocked fulfils the grants this member can, quietly.
const grantStatus = document.querySelector<HTMLElement>('[data-grant-status]');
const grantWhenUnlocked = async () => {
  const key = email ? await sessionKey(email) : null;
  if (key && grantStatus) await fulfilPendingGrants(key, grantStatus).catch(() => undefined);
};
if (email && grantStatus) {
  void grantWhenUnlocked();
  onUnlockedElsewhere(() => void grantWhenUnlocked());
}
