// GPU training through the page's compute worker, in CI's Chromium with its software GPU
// (SwiftShader): slow, but the same code paths as a real GPU. Speed is measured by
// `npm run bench -- gpu`, never here.
import { test, expect } from './web-host-fixture';
import { existsSync } from 'node:fs';

const chromium = process.env['CHROMIUM_PATH'] ?? ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p) => existsSync(p));

test.use({
  launchOptions: {
    ...(chromium ? { executablePath: chromium } : {}),
    args: ['--no-sandbox', '--disable-dev-shm-usage', '--enable-unsafe-webgpu', '--enable-features=Vulkan', '--use-webgpu-adapter=swiftshader', '--use-angle=swiftshader'],
  },
});

test('the device panel lists webgpu and webgl on the software adapter, with the adapter named', async ({ page, webHost }) => {
  await page.goto(webHost.url);
  await page.getByTestId('devices-button').click();
  await expect(page.getByTestId('device-webgpu')).toHaveAttribute('data-available', 'true', { timeout: 60_000 });
  await expect(page.getByTestId('device-webgl')).toHaveAttribute('data-available', 'true');
  await expect(page.getByTestId('gpu-adapter-name')).toContainText(/swiftshader/i);
  await expect(page.getByTestId('gpu-adapter')).toContainText('software renderer');
  await expect(page.getByTestId('compute-status')).toContainText('connected to the engine');
  await page.screenshot({ path: test.info().outputPath('devices.png') });
});

test('the Iris MLP trains on webgpu', async ({ page, webHost }) => {
  await page.goto(webHost.url);
  await page.getByTestId('nav-train').click();
  await page.getByTestId('dataset-iris').click();
  await expect(page.locator('[data-testid="backend-select"] option[value="webgpu"]')).toHaveJSProperty('disabled', false, { timeout: 60_000 });
  await page.getByTestId('backend-select').selectOption('webgpu');
  await page.getByTestId('epochs').fill('5');
  await page.getByTestId('train').click();
  await expect(page.getByTestId('run-status')).toHaveText('Finished', { timeout: 120_000 });
  await expect(page.getByTestId('test-metrics')).toBeVisible();
  await page.screenshot({ path: test.info().outputPath('iris-webgpu.png') });
});
