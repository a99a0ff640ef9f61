// The dashboard's bundle: the key page and the case view. Pages work without it for everything
// that does not need a private key.
import { startCaseView } from './case-view';
import { startKeyPage } from './key-page';

const keyring = document.querySelector<HTMLElement>('[data-keyring]');
if (keyring) void startKeyPage(keyring);

const caseView = document.querySelector<HTMLElement>('[data-case-view]');
const email = document.querySelector<HTMLElement>('[data-member-email]')?.dataset.memberEmail;
if (caseView && email) void startCaseView(caseView, email);
