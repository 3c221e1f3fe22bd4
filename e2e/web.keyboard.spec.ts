// Keyboard only: a learner who does not use a mouse reaches the views, picks the data, sets the
// epochs, trains, and reads the result — every step by Tab and Enter/Space, with a visible focus.
import { test, expect } from './web-host-fixture';
import type { Page } from '@playwright/test';

/** Presses Tab until the element with this test id has focus; fails if it never does. */
async function tabTo(page: Page, testId: string, limit = 60): Promise<void> {
  for (let i = 0; i < limit; i++) {
    await page.keyboard.press('Tab');
    const focused = await page.evaluate(() => document.activeElement?.getAttribute('data-testid') ?? null);
    if (focused === testId) {
      // The focus is visible: the focus ring is an outline or a box shadow, never nothing.
      const ring = await page.evaluate(() => {
        const s = getComputedStyle(document.activeElement as Element);
        return { outline: s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0, shadow: s.boxShadow !== 'none' };
      });
      expect(ring.outline || ring.shadow, `${testId} shows where the focus is`).toBe(true);
      return;
    }
  }
  throw new Error(`${testId} is not reachable with Tab (${limit} presses)`);
}

for (const size of [{ width: 1440, height: 900 }, { width: 1024, height: 700 }]) {
  test(`train the Iris MLP with the keyboard alone at ${size.width}×${size.height}`, async ({ page, webHost }) => {
    await page.setViewportSize(size);
    await page.goto(webHost.url);
    await expect(page.getByTestId('nav-train')).toBeVisible();

    await tabTo(page, 'nav-data');
    await page.keyboard.press('Enter');
    await expect(page.getByTestId('nav-data')).toHaveAttribute('aria-current', 'page');

    await tabTo(page, 'nav-train');
    await page.keyboard.press('Enter');
    await expect(page.getByTestId('nav-train')).toHaveAttribute('aria-current', 'page');

    await tabTo(page, 'dataset-iris');
    await page.keyboard.press('Space');
    await expect(page.getByTestId('dataset-iris')).toHaveAttribute('aria-checked', 'true');

    await tabTo(page, 'epochs');
    await page.keyboard.press('ControlOrMeta+a');
    await page.keyboard.type('30');

    await tabTo(page, 'train');
    await page.keyboard.press('Enter');
    await expect(page.getByTestId('run-status')).toHaveText('Finished', { timeout: 60_000 });
    await expect(page.getByTestId('test-metrics')).toBeVisible();
    await expect(page.getByTestId('progress')).toContainText('of 30');
  });
}
