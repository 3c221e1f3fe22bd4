// Glasswing's webgpu kernels (the filter gradient and the fused Adam update, compute/webgpu-*.ts)
// on random shapes against TF.js's stock cpu kernels, in Chromium's WebGPU on its software GPU: the
// kernel tests the wasm and cpu kernels get in the unit tests, for the GPU ones. The checks are
// compute/webgpu-kernels.browser-test.ts, bundled here into a page of their own.
import { test, expect } from '@playwright/test';
import { build } from 'esbuild';
import { softwareGpuLaunch } from './software-gpu';
import type { WebGpuKernelReport } from '../compute/webgpu-kernels.browser-test';

test.use({ launchOptions: softwareGpuLaunch });
test.setTimeout(300_000);

// localhost is a secure context, which WebGPU needs; the page is served by the route, not a server.
const PAGE = 'http://localhost:7357/';

test('the webgpu filter gradient and Adam match stock cpu on random shapes (1e-4)', async ({ page }) => {
  const bundle = await build({ entryPoints: ['compute/webgpu-kernels.browser-test.ts'], bundle: true, write: false, format: 'iife', platform: 'browser', target: 'es2022', logLevel: 'error' });
  await page.route(`${PAGE}**`, (route) => route.fulfill({ contentType: 'text/html', body: '<!doctype html><title>webgpu kernels</title>' }));
  await page.goto(PAGE);
  await page.addScriptTag({ content: bundle.outputFiles[0]!.text });
  const seeds = (process.env['GLASSWING_GPU_CHECK_SEEDS'] ?? '1,2,3').split(',').map(Number);
  const cases = Number(process.env['GLASSWING_GPU_CHECK_CASES'] ?? 40);
  for (const seed of seeds) {
    const report = await page.evaluate(
      ([s, n]) => (globalThis as unknown as { glasswingWebGpuKernelChecks(seed: number, cases: number): Promise<WebGpuKernelReport> }).glasswingWebGpuKernelChecks(s!, n!),
      [seed, cases],
    );
    test.info().annotations.push({ type: 'webgpu kernels', description: `seed ${seed}: ${report.checks} checks on ${report.adapter}` });
    expect(report.failures, `seed ${seed}`).toEqual([]);
    // Most random convolutions are valid ones: a run that checked almost nothing has lost its cases.
    expect(report.checks).toBeGreaterThan(cases);
  }
});
