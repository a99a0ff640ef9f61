// When this browser cannot do the encryption a page's script does (no WebCrypto, or a step that
// fails or never finishes), the page says so and hands the form to the server's own path, the one
// a browser without JavaScript takes. Nothing typed is sent before the page has said that, and the
// form keeps everything typed.

/** A step of the in-browser work that failed or did not finish: the server's path can still take over. */
export class CannotWorkHereError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'CannotWorkHereError';
  }
}

/**
 * Resolves as `work` does, or rejects with CannotWorkHereError after `ms` milliseconds or when
 * `work` itself fails. `what` says in words what did not happen ("Encrypting your report").
 */
export function inTime<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(
      () =>
        reject(
          new CannotWorkHereError(`${what} in this browser did not finish within ${Math.round(ms / 1000)} seconds.`),
        ),
      ms,
    );
    work.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (cause: unknown) => {
        clearTimeout(timer);
        reject(
          new CannotWorkHereError(`${what} in this browser failed (${(cause as Error)?.message || String(cause)}).`, {
            cause,
          }),
        );
      },
    );
  });
}

/**
 * Shows the form's hand-over notice (`[data-handover]`, its reason in `[data-handover-reason]`),
 * relabels the submit button, and stops the page's script from taking the next submission: the
 * next press posts the form to the server as it stands, as without JavaScript. Returns false, and
 * leaves the script in charge, when the page has no notice to show: nothing goes unannounced.
 */
export function handOverToServer(form: HTMLFormElement, reason: string, stopScript: AbortController): boolean {
  const notice = form.querySelector<HTMLElement>('[data-handover]');
  if (!notice) return false;
  stopScript.abort();
  const button = form.querySelector<HTMLButtonElement>('button[type=submit]');
  const status = form.querySelector<HTMLElement>('[data-status]');
  const why = notice.querySelector<HTMLElement>('[data-handover-reason]');
  if (why) why.textContent = reason;
  if (status) status.textContent = '';
  if (button) {
    button.disabled = false;
    if (notice.dataset.handoverButton) button.textContent = notice.dataset.handoverButton;
  }
  // The role comes with the notice, so that it is announced when shown and never read while hidden.
  notice.setAttribute('role', 'alert');
  notice.hidden = false;
  notice.focus();
  return true;
}
