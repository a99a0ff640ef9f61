// Drives the public report page in a browser as a reporter would: fill in, attach, send, read back.
import type { Page } from 'playwright-core';
import type { CaseKind } from '../../db/database';
import { REPORT_FIELDS } from '../../server/intake/report-form';

/** The text a test types into each field: the canary and the field's name, so each is found on its own. */
export function fieldText(kind: CaseKind, marker: string): Record<string, string> {
  return Object.fromEntries(
    REPORT_FIELDS[kind].map((field) => [field.name, `${field.label}: ${marker}-${field.name}`]),
  );
}

/** Opens the form of this kind and types `values` into the fields they name. */
export async function openAndFillForm(
  page: Page,
  baseUrl: string,
  kind: CaseKind,
  values: Record<string, string>,
): Promise<void> {
  const response = await page.goto(`${baseUrl}/report?kind=${kind}`);
  if (response?.status() !== 200) throw new Error(`GET /report?kind=${kind} answered ${response?.status()}`);
  for (const [name, value] of Object.entries(values)) await page.fill(`#f-${name}`, value);
}

export async function attachFile(page: Page, name: string, buffer: Buffer): Promise<void> {
  await page.setInputFiles('#f-attachments', { name, mimeType: 'application/octet-stream', buffer });
}

export interface Confirmation {
  reference: string;
  receipt: string;
}

/**
 * Clicks "Encrypt and send" and waits for the confirmation (the page's script replaces the form; the
 * no-JavaScript path loads a new page). Fails with the page's own problem list if it shows one.
 */
export async function submitAndReadConfirmation(page: Page): Promise<Confirmation> {
  // A problem list left from an earlier attempt is not this attempt's answer: the script refills the
  // box with new children when it refuses again, and the confirmation replaces the form.
  if (await page.locator('#problems > h2').count())
    await page
      .locator('#problems > h2')
      .first()
      .evaluate((h2) => h2.setAttribute('data-stale', ''));
  await page.click('button[type=submit]');
  await page.locator('[data-reference], #problems > h2:not([data-stale])').first().waitFor({ timeout: 45_000 });
  if ((await page.locator('[data-reference]').count()) === 0) {
    throw new Error(`The page refused the report:\n${await page.locator('#problems').first().textContent()}`);
  }
  return {
    reference: (await page.locator('[data-reference]').innerText()).trim(),
    receipt: (await page.locator('[data-receipt]').innerText()).trim(),
  };
}

/** Clicks "Encrypt and send" on a no-JavaScript page and waits for the answer page to load. */
export async function submitWithoutScript(page: Page): Promise<number> {
  const [response] = await Promise.all([
    page.waitForResponse((r) => r.request().method() === 'POST' && new URL(r.url()).pathname === '/report'),
    page.click('button[type=submit]'),
  ]);
  await page.waitForLoadState('load');
  return response.status();
}
