// Issue 8.15: on the recovery codes page the "10." stuck out of its box. In Chromium, at a desktop and
// a phone width: each numbered code, number included, lies inside the box, nothing overflows, and the
// ten codes line up.
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from '../helpers/browser';
import { enrolInBrowser } from '../helpers/dashboard-browser';
import { createTestDatabase, type TestDatabase } from '../helpers/db';
import { addFixtureMember } from '../helpers/keys';
import { startAuthServer, type AuthTestServer } from '../helpers/member-auth';

let t: TestDatabase;
let server: AuthTestServer;
let browser: Browser;

beforeAll(async () => {
  t = await createTestDatabase();
  server = await startAuthServer(t.db);
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await server?.close();
  await t?.destroy();
});

interface CodesLayout {
  /** The box's content edges, inside its border and padding. */
  box: { left: number; right: number };
  items: { text: string; left: number; right: number; overflows: boolean }[];
  codeLefts: number[];
  /** Whether each item's number is part of the item's own box (so that the boxes above include it). */
  numbersInside: boolean;
}

function measure(page: Page): Promise<CodesLayout> {
  return page.evaluate(() => {
    const list = document.querySelector('[data-recovery-codes]')!;
    const box = list.closest('section')!;
    const rect = box.getBoundingClientRect();
    const style = getComputedStyle(box);
    const px = (value: string) => parseFloat(value) || 0;
    const items = [...list.querySelectorAll('li')].map((li) => {
      const r = li.getBoundingClientRect();
      return { text: li.innerText, left: r.left, right: r.right, overflows: li.scrollWidth > li.clientWidth };
    });
    return {
      box: {
        left: rect.left + px(style.borderLeftWidth) + px(style.paddingLeft),
        right: rect.right - px(style.borderRightWidth) - px(style.paddingRight),
      },
      items,
      codeLefts: [...list.querySelectorAll('code')].map((code) => Math.round(code.getBoundingClientRect().left)),
      numbersInside: getComputedStyle(list).listStylePosition === 'inside',
    };
  });
}

test('every recovery code and its number stay inside the box, at 1280 and at 320 pixels wide', async () => {
  const member = await addFixtureMember(t.db, 'alice', 'srt');
  const page = await (await browser.newContext()).newPage();
  const layouts: Record<number, CodesLayout> = {};
  await enrolInBrowser(page, t.db, server, member, async (step) => {
    if (step !== 'recovery-codes') return;
    for (const width of [1280, 320]) {
      await page.setViewportSize({ width, height: 900 });
      layouts[width] = await measure(page);
    }
  });
  for (const width of [1280, 320]) {
    const layout = layouts[width]!;
    expect({ width, numbersInside: layout.numbersInside }).toEqual({ width, numbersInside: true });
    expect(layout.items).toHaveLength(10);
    for (const item of layout.items) {
      expect({
        width,
        item: item.text,
        inside: item.left >= layout.box.left - 0.5 && item.right <= layout.box.right + 0.5,
        overflows: item.overflows,
      }).toEqual({
        width,
        item: item.text,
        inside: true,
        overflows: false,
      });
    }
    // "01." to "10." are one width, so the codes start in one column.
    expect(new Set(layout.codeLefts).size).toBe(1);
  }
});
