// What a person does on the builder canvas, with real pointer drags: drop a layer from the
// palette, wire two layers handle to handle, set a parameter in the form.
import { expect, type Page } from '@playwright/test';

export async function dropLayer(page: Page, className: string, x: number, y: number): Promise<void> {
  await page.getByTestId(`palette-${className}`).dragTo(page.getByTestId('canvas'), { targetPosition: { x, y } });
}

export async function wire(page: Page, from: string, to: string): Promise<void> {
  const source = page.getByTestId(`node-${from}`).locator('.svelte-flow__handle.source');
  const target = page.getByTestId(`node-${to}`).locator('.svelte-flow__handle.target');
  const a = (await source.boundingBox())!;
  const b = (await target.boundingBox())!;
  await page.mouse.move(a.x + a.width / 2, a.y + a.height / 2);
  await page.mouse.down();
  await page.mouse.move((a.x + b.x) / 2, (a.y + b.y) / 2, { steps: 5 });
  await page.mouse.move(b.x + b.width / 2, b.y + b.height / 2, { steps: 5 });
  await page.mouse.up();
  await expect(page.getByTestId(`node-${to}`).getByTestId('node-error').filter({ hasText: 'has no input' })).toHaveCount(0);
}

export async function setParam(page: Page, layer: string, key: string, value: string): Promise<void> {
  await page.getByTestId(`node-${layer}`).click();
  const field = page.getByTestId(`param-${key}`);
  if ((await field.evaluate((el) => el.tagName)) === 'SELECT') await field.selectOption(value);
  else await field.fill(value);
}
