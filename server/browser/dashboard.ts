// The dashboard's bundle: the key page, the case view, and locking the key on sign-out. Pages work
// without it for everything that does not need a private key.
import { startCaseView } from './case-view';
import { startKeyPage } from './key-page';
import { lockSessionKey } from './keyring';

// Signing out (here or everywhere) locks the key this tab unlocked before the form is sent: unlocked
// "for the session" means the member's session, not the life of the tab.
for (const signOut of document.querySelectorAll<HTMLFormElement>('form[action="/signout"], form[action="/signout/everywhere"]')) {
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
if (caseView && email) void startCaseView(caseView, email);
