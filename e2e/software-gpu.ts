// Chromium with its software GPU (SwiftShader for both WebGPU and WebGL): the GPU code paths run
// everywhere, slowly, so the specs that need a GPU check correctness here and speed only on a real one.
import { existsSync } from 'node:fs';

const chromium = process.env['CHROMIUM_PATH'] ?? ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p) => existsSync(p));
const GPU_FLAGS = ['--enable-unsafe-webgpu', '--enable-features=Vulkan', '--use-webgpu-adapter=swiftshader', '--use-angle=swiftshader'];

/** Playwright launch options for that browser: `test.use({ launchOptions: softwareGpuLaunch })`. */
export const softwareGpuLaunch = { ...(chromium ? { executablePath: chromium } : {}), args: ['--no-sandbox', '--disable-dev-shm-usage', ...GPU_FLAGS] };
