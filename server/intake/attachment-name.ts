/** The longest file name an attachment keeps (inside its encrypted literal packet, and shown back to the reporter). */
export const MAX_ATTACHMENT_NAME = 200;

/**
 * The name an attachment is kept under, from the web form or the mail: the base name only (no
 * paths, never `.` or `..`), no control characters, at most MAX_ATTACHMENT_NAME characters, not empty.
 */
export function safeAttachmentName(name: string | undefined): string {
  const base = (name ?? '').split(/[\\/]/).pop() ?? '';
  const clean = base
    .replace(/[\u0000-\u001f\u007f]/g, '')
    .trim()
    .slice(0, MAX_ATTACHMENT_NAME)
    .trim();
  return clean === '' || clean === '.' || clean === '..' ? 'attachment' : clean;
}
