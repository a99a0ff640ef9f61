// The follow-up page's first script. It imports no OpenPGP.js, so it runs where OpenPGP.js cannot
// load: it checks what this browser can do, takes the receipt form, and loads the rest
// (followup-page.ts) at once. Where the case cannot be opened here, the page says so before the
// receipt leaves the browser and hands the form to the server's path (hand-over.ts).
import { runtimeSupport } from '../../crypto/runtime-support';
import { CannotWorkHereError, handOverToServer, inTime } from './hand-over';

const LOAD_MS = 20_000;

const form = document.querySelector<HTMLFormElement>('[data-followup-form]');
const view = document.querySelector<HTMLElement>('[data-followup-view]');
if (form && view) {
  const support = runtimeSupport();
  const script = new AbortController();
  const followup = support.canEncrypt ? import('./followup-page') : undefined;
  followup?.catch(() => undefined); // reported when the reporter opens the case
  form.addEventListener(
    'submit',
    (event) => {
      event.preventDefault();
      void (async () => {
        try {
          const { openCase } = await inTime(
            followup ?? Promise.reject(new Error(support.missing)),
            LOAD_MS,
            'Loading the decryption',
          );
          await openCase(form, view, support);
        } catch (error) {
          if (error instanceof CannotWorkHereError && handOverToServer(form, error.message, script)) return;
          const status = form.querySelector<HTMLElement>('[data-status]');
          if (status) status.textContent = 'Your case could not be opened in this browser. Your receipt was not sent.';
        }
      })();
    },
    { signal: script.signal },
  );
  if (!support.canEncrypt) handOverToServer(form, support.missing!, script);
}
