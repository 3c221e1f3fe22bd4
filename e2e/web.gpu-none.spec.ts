// Chromium as CI starts it for the other specs (--disable-gpu, no WebGPU flags): no GPU adapter.
// GPU backends are listed as unavailable with their reasons, auto trains on the CPU, nothing breaks.
import { test, expect } from './web-host-fixture';

test('webgpu is unavailable with the reason, auto falls back, nothing errors', async ({ page, webHost }) => {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(webHost.url);
  await page.getByTestId('devices-button').click();
  await expect(page.getByTestId('compute-status')).toContainText('connected to the engine', { timeout: 60_000 });
  await expect(page.getByTestId('device-webgpu')).toHaveAttribute('data-available', 'false');
  await expect(page.getByTestId('device-webgpu-reason')).toContainText(/WebGPU/);
  await page.getByRole('button', { name: 'Close' }).click();
  await expect(page.locator('[data-testid="backend-select"] option[value="webgpu"]')).toHaveJSProperty('disabled', true);
  await page.getByTestId('dataset-iris').click();
  await page.getByTestId('epochs').fill('3');
  await page.getByTestId('train').click();
  await expect(page.getByTestId('run-status')).toHaveText('Finished', { timeout: 60_000 });
  expect(errors).toEqual([]);
});
