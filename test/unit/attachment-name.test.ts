import { MAX_ATTACHMENT_NAME, safeAttachmentName } from '../../server/intake/attachment-name';

describe('safeAttachmentName, the one rule for web and mail attachments', () => {
  test('keeps the base name only, without control characters', () => {
    expect(safeAttachmentName('C:\\Users\\me\\report.pdf')).toBe('report.pdf');
    expect(safeAttachmentName('../../etc/passwd')).toBe('passwd');
    expect(safeAttachmentName(' log\u0000\u001f.txt ')).toBe('log.txt');
  });

  test('never a dot name, never empty', () => {
    for (const name of ['..', '.', 'dir/..', '', '   ', '\u0007', undefined])
      expect(safeAttachmentName(name)).toBe('attachment');
  });

  test('at most MAX_ATTACHMENT_NAME characters, with no space left at the cut', () => {
    expect(safeAttachmentName('x'.repeat(300))).toHaveLength(MAX_ATTACHMENT_NAME);
    expect(safeAttachmentName(`${'y'.repeat(MAX_ATTACHMENT_NAME - 1)} tail.txt`)).toBe(
      'y'.repeat(MAX_ATTACHMENT_NAME - 1),
    );
  });
});
