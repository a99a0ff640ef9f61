// The report page's first script. It imports no OpenPGP.js, so it runs where OpenPGP.js cannot
// even load: it checks what this browser can do, takes the form's submission, and loads the
// encryption (report-page.ts) at once. Whatever fails or hangs there, the page says so before
// anything typed leaves the browser (hand-over.ts).
import { runtimeSupport } from '../../crypto/runtime-support';
import { CannotWorkHereError, handOverToServer, inTime } from './hand-over';
import { showProblems } from './report-page-view';

const LOAD_MS = 20_000;

const form = document.querySelector<HTMLFormElement>('form[data-report-form]');
if (form) {
  const support = runtimeSupport();
  const script = new AbortController();
  const encryption = support.canEncrypt ? import('./report-page') : undefined;
  encryption?.catch(() => undefined); // reported when the reporter sends
  let sending = false; // a double click must not make two cases
  form.addEventListener(
    'submit',
    (event) => {
      event.preventDefault();
      if (sending) return;
      sending = true;
      void (async () => {
        try {
          const { submitEncrypted } = await inTime(
            encryption ?? Promise.reject(new Error(support.missing)),
            LOAD_MS,
            'Loading the encryption',
          );
          await submitEncrypted(form, support.argon2, script);
        } catch (error) {
          if (error instanceof CannotWorkHereError && handOverToServer(form, error.message, script)) return;
          showProblems(form, [
            'Your report could not be encrypted in this browser. Nothing was sent; your text is still in the form.',
          ]);
        } finally {
          sending = false;
        }
      })();
    },
    { signal: script.signal },
  );
  if (!support.canEncrypt) handOverToServer(form, support.missing!, script);
}
