// The upload budget's arithmetic (whole budget and per-client cap, growth of a streaming body, release
// once) and the configuration that sizes it.
import { ConfigError, loadConfig } from '../../server/config';
import { largestSubmissionBytes } from '../../server/intake/report-form';
import { UploadBudget, UploadReservation } from '../../server/http/upload-budget';

test("takes only what fits both the whole budget and the client's cap, and gives back exactly that", () => {
  const budget = new UploadBudget({ totalBytes: 100, perClientBytes: 60 });
  expect(budget.tryTake('a', 60)).toBe(true);
  expect(budget.tryTake('a', 1)).toBe(false); // a's cap
  expect(budget.tryTake('b', 41)).toBe(false); // the whole budget
  expect(budget.tryTake('b', 40)).toBe(true);
  expect(budget.bytesInFlight).toBe(100);
  budget.give('a', 60);
  expect(budget.tryTake('a', 60)).toBe(true);
});

test('a streaming body grows its reservation while there is room, stops at its limit, and is released once', () => {
  const budget = new UploadBudget({ totalBytes: 100, perClientBytes: 100 });
  const streaming = new UploadReservation(budget, 'a', 0, 80);
  expect(streaming.accept(50)).toBe('ok');
  expect(budget.bytesInFlight).toBe(50);
  expect(budget.tryTake('b', 40)).toBe(true);
  expect(streaming.accept(20)).toBe('busy');
  budget.give('b', 40);
  expect(streaming.accept(40)).toBe('too-large');
  streaming.release();
  streaming.release();
  expect(budget.bytesInFlight).toBe(0);
});

test('the defaults hold the largest submission; a budget or cap below it is refused with the reason', () => {
  const config = loadConfig({});
  const largest = largestSubmissionBytes(config);
  expect(config.uploadBudget.totalBytes).toBe(256 * 1024 * 1024);
  expect(config.uploadBudget.perClientBytes).toBe(largest);
  expect(loadConfig({ MAX_ATTACHMENT_BYTES: String(100 * 1024 * 1024) }).uploadBudget.totalBytes).toBe(
    largestSubmissionBytes({ maxAttachmentBytes: 100 * 1024 * 1024, maxAttachments: 5 }),
  );
  try {
    loadConfig({ UPLOAD_BUDGET_BYTES: String(64 * 1024 * 1024), UPLOAD_CLIENT_BYTES: String(32 * 1024 * 1024) });
    throw new Error('accepted');
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems.join('\n');
    expect(problems).toContain('UPLOAD_BUDGET_BYTES (67108864) must hold the largest submission');
    expect(problems).toContain('UPLOAD_CLIENT_BYTES (33554432) must hold the largest submission');
  }
});
