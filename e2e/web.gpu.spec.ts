// GPU training through the page's compute worker, in CI's Chromium with its software GPU
// (SwiftShader): slow, but the same code paths as a real GPU. Speed is measured by
// `npm run bench -- gpu`, never here.
import { test, expect } from './web-host-fixture';
import { mnistFolder } from './mnist-folder';
import { softwareGpuLaunch } from './software-gpu';
import type { Page } from '@playwright/test';

test.use({ launchOptions: softwareGpuLaunch });
test.setTimeout(420_000);

interface Finished {
  type: 'finished';
  runId: string;
  history: { loss: number; valLoss: number | null }[];
  test: { accuracy: number } | null;
  backend: string;
}

/** Training events the page receives on its socket, as the engine sent them. */
function watchRuns(page: Page): { finished: Finished[] } {
  const seen = { finished: [] as Finished[] };
  page.on('websocket', (ws) => {
    if (!ws.url().includes('/ws')) return;
    ws.on('framereceived', (f) => {
      if (typeof f.payload !== 'string') return;
      const m = JSON.parse(f.payload) as { kind?: string; event?: string; payload?: { type?: string } };
      if (m.kind === 'event' && m.event === 'training.event' && m.payload?.type === 'finished') seen.finished.push(m.payload as Finished);
    });
  });
  return seen;
}

async function gpuReady(page: Page, backend: 'webgpu' | 'webgl'): Promise<void> {
  await expect(page.locator(`[data-testid="backend-select"] option[value="${backend}"]`)).toHaveJSProperty('disabled', false, { timeout: 60_000 });
}

test('the device panel names the software adapter, lists webgpu and webgl, and auto does not choose them', async ({ page, webHost }) => {
  await page.goto(webHost.url);
  await page.getByTestId('devices-button').click();
  await expect(page.getByTestId('device-webgpu')).toHaveAttribute('data-available', 'true', { timeout: 60_000 });
  await expect(page.getByTestId('device-webgl')).toHaveAttribute('data-available', 'true');
  await expect(page.getByTestId('gpu-adapter-name')).toContainText(/swiftshader/i);
  await expect(page.getByTestId('gpu-adapter')).toContainText('software renderer');
  await expect(page.getByTestId('compute-status')).toContainText('connected to the engine');
  await page.screenshot({ path: test.info().outputPath('devices.png') });
  await page.getByRole('button', { name: 'Close' }).click();
  // Auto on a software GPU: the CPU, and the reason says why not the GPU.
  await page.getByTestId('dataset-iris').click();
  await page.getByTestId('epochs').fill('3');
  await page.getByTestId('train').click();
  await expect(page.getByTestId('run-status')).toHaveText('Finished', { timeout: 60_000 });
  await expect(page.getByTestId('backend-badge')).toHaveAttribute('title', /software renderer/);
});

test('LeNet-5 on 1,000 MNIST digits: webgpu and webgl match wasm (loss within 2%, test accuracy within 3 points), and the GPU run is inspected like any other', async ({ page, webHost }) => {
  const digits = await mnistFolder(100);
  const runs = watchRuns(page);
  await page.goto(webHost.url);
  await page.getByTestId('nav-data').click();
  await page.getByTestId('folder-input').setInputFiles(digits);
  await expect(page.getByTestId('data-preview')).toBeVisible({ timeout: 60_000 });
  await page.getByTestId('use-dataset').click();
  await page.getByTestId('nav-train').click();
  await page.getByTestId('template-select').selectOption('lenet5');
  await page.getByTestId('epochs').fill('1');
  await page.getByTestId('batch-size').fill('32');
  await page.getByTestId('learning-rate').fill('0.001');
  await page.getByTestId('seed').fill('1');
  await gpuReady(page, 'webgpu');
  await gpuReady(page, 'webgl');
  for (const backend of ['wasm', 'webgl', 'webgpu']) {
    await page.getByTestId('backend-select').selectOption(backend);
    await page.getByTestId('train').click();
    await expect(page.getByTestId('run-status')).toHaveText('Finished', { timeout: 300_000 });
    await expect.poll(() => runs.finished.length).toBe(['wasm', 'webgl', 'webgpu'].indexOf(backend) + 1);
  }
  const [wasm, webgl, webgpu] = runs.finished as [Finished, Finished, Finished];
  const report: string[] = [];
  for (const [name, run] of [['webgl', webgl], ['webgpu', webgpu]] as const) {
    expect(run.backend).toBe(name);
    run.history.forEach((h, i) => {
      const ref = wasm.history[i]!;
      const rel = Math.abs(h.loss - ref.loss) / ref.loss;
      report.push(`${name} epoch ${i + 1}: loss ${h.loss.toFixed(5)} vs wasm ${ref.loss.toFixed(5)} (relative difference ${rel.toExponential(2)}), val loss ${h.valLoss?.toFixed(5)} vs ${ref.valLoss?.toFixed(5)}`);
      expect(rel).toBeLessThanOrEqual(0.02);
      expect(Math.abs(h.valLoss! - ref.valLoss!) / ref.valLoss!).toBeLessThanOrEqual(0.02);
    });
    const points = Math.abs(run.test!.accuracy - wasm.test!.accuracy) * 100;
    report.push(`${name} test accuracy ${(run.test!.accuracy * 100).toFixed(1)}% vs wasm ${(wasm.test!.accuracy * 100).toFixed(1)}% (${points.toFixed(1)} points)`);
    expect(points).toBeLessThanOrEqual(3);
  }
  console.log(`GPU parity on SwiftShader:\n${report.join('\n')}`);
  await test.info().attach('parity', { body: report.join('\n') });

  // The webgpu run's weights live in the engine: Inspect draws its feature maps and Grad-CAM.
  await page.getByTestId('nav-inspect').click();
  await expect(page.getByTestId('inspect-main')).toBeVisible();
  await expect(page.locator('[data-testid="feature-map"]').first()).toBeVisible({ timeout: 60_000 });
  await page.getByTestId('inspect-tab-cam').click();
  await expect(page.getByTestId('cam-overlay')).toBeVisible({ timeout: 60_000 });
});

test('on webgpu, pause holds, resume continues and stop keeps what was learned', async ({ page, webHost }) => {
  await page.goto(webHost.url);
  await page.getByTestId('dataset-iris').click();
  await gpuReady(page, 'webgpu');
  await page.getByTestId('backend-select').selectOption('webgpu');
  await page.getByTestId('epochs').fill('300');
  await page.getByTestId('train').click();
  // Batches are flowing (the first one compiles the shaders).
  await expect(page.getByTestId('samples-per-sec')).toHaveText(/\d/, { timeout: 60_000 });
  await expect(page.getByTestId('backend-badge')).toContainText('webgpu');
  await page.getByTestId('pause').click();
  await expect(page.getByTestId('run-status')).toHaveText('Paused');
  // The batch in flight when pause was pressed may still report; then nothing moves.
  await page.waitForTimeout(1500);
  const held = await page.getByTestId('progress').innerText();
  await page.waitForTimeout(2000);
  expect(await page.getByTestId('progress').innerText()).toBe(held);
  await page.getByTestId('resume').click();
  await expect(page.getByTestId('run-status')).toHaveText('Training');
  await expect(page.getByTestId('progress')).not.toHaveText(held, { timeout: 60_000 });
  await page.getByTestId('stop').click();
  await expect(page.getByTestId('run-status')).toHaveText('Stopped early', { timeout: 60_000 });
  await expect(page.getByTestId('test-metrics')).toBeVisible();
});

test('a compute worker killed mid-run fails that run with a clear message; earlier runs stay and the next run works', async ({ page, webHost }) => {
  await page.goto(webHost.url);
  await page.getByTestId('dataset-iris').click();
  await gpuReady(page, 'webgpu');
  await page.getByTestId('backend-select').selectOption('webgpu');
  await page.getByTestId('epochs').fill('3');
  await page.getByTestId('train').click();
  await expect(page.getByTestId('run-status')).toHaveText('Finished', { timeout: 120_000 });
  await page.getByTestId('epochs').fill('300');
  await page.getByTestId('train').click();
  await expect(page.getByTestId('progress')).toContainText(/epoch [1-9]\d* of 300/, { timeout: 60_000 });
  // The device panel's restart terminates the worker at once, as a crash or a driver reset would.
  await page.getByTestId('backend-badge').click();
  await page.getByTestId('restart-compute').click();
  await page.getByRole('button', { name: 'Close' }).click();
  await expect(page.getByTestId('run-status')).toHaveText('Failed', { timeout: 60_000 });
  await expect(page.getByTestId('training-error')).toContainText(/Training on webgpu ended (after|during) epoch \d+ of 300: the GPU worker stopped.*Earlier runs are intact/);
  // The finished run is still listed (the failed one is not a result).
  await expect(page.getByTestId('runs-table').locator('tbody tr')).toHaveCount(1);
  // A fresh worker connects, and the next run trains on it.
  await gpuReady(page, 'webgpu');
  await page.getByTestId('epochs').fill('2');
  await page.getByTestId('train').click();
  await expect(page.getByTestId('run-status')).toHaveText('Finished', { timeout: 120_000 });
  await expect(page.getByTestId('runs-table').locator('tbody tr')).toHaveCount(2);
});
