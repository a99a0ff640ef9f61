// What the reporter's follow-up page says of a case whose content was deleted (issue 12 §3), with
// JavaScript and without: the same words, from here.

/** The notice, plain: when, what went, and that the reference still tells the status. */
export function contentDeletedNotice(deletedAt: Date): string {
  return (
    `The content of this report was deleted for good on ${deletedAt.toISOString().slice(0, 10)}, ` +
    'at the end of the time the project keeps it: your report, our replies, your answers and any attachments ' +
    'no longer exist in this system, and nobody can read them any more. ' +
    'Your receipt and the reference still show the status of the case. ' +
    'If you need to tell us more, please send a new report.'
  );
}
