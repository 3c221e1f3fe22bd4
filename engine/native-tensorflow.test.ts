// The native TensorFlow backend's reasons, with the packages absent, present but broken (stub
// packages on disk that throw as the real ones do), and on the platforms they do not support.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describeCuda, probeNativeTensorflow, type NativeProbeEnv } from './native-tensorflow';

/** A folder with node_modules holding stub packages whose index.js runs `body`. */
function stubs(packages: Record<string, string>): (id: string) => unknown {
  const root = mkdtempSync(path.join(tmpdir(), 'gw-native-'));
  for (const [name, body] of Object.entries(packages)) {
    const dir = path.join(root, 'node_modules', ...name.split('/'));
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name, version: '4.22.0', main: 'index.js' }));
    writeFileSync(path.join(dir, 'index.js'), body);
  }
  return createRequire(path.join(root, 'index.js'));
}

const linux = (require: NativeProbeEnv['require'], extra: Partial<NativeProbeEnv> = {}): NativeProbeEnv => ({ require, platform: 'linux', arch: 'x64', registered: () => false, ...extra });

test('absent packages (npm skipped them): what the GPU build needs and the command that installs it', () => {
  const r = probeNativeTensorflow(linux(stubs({})));
  assert.equal(r.ok, false);
  assert.match(r.reason!, /@tensorflow\/tfjs-node-gpu is not installed \(npm skips it where its install script cannot download libtensorflow, or with --omit=optional\); it needs Linux or Windows on x64, an NVIDIA GPU, CUDA 11\.2 and cuDNN 8\.1 — then run `npm install @tensorflow\/tfjs-node-gpu@4\.22\.0`/);
  assert.match(r.reason!, /@tensorflow\/tfjs-node is not installed \(run `npm install @tensorflow\/tfjs-node@4\.22\.0`/);
});

test('a GPU build that throws on load for a missing CUDA library names the versions needed and found', () => {
  const require = stubs({
    '@tensorflow/tfjs-node-gpu': "throw new Error('libcudart.so.11.0: cannot open shared object file: No such file or directory');",
    '@tensorflow/tfjs-node': "const e = new Error(\"Cannot find module '/x/node_modules/@tensorflow/tfjs-node/lib/napi-v8/tfjs_binding.node'\"); e.code = 'MODULE_NOT_FOUND'; throw e;",
  });
  const r = probeNativeTensorflow(linux(require, { libraries: () => ['libcudart.so.12', 'libcudart.so.12.2.140', 'libcudnn.so.9', 'libcudnn.so.9.1.0'] }));
  assert.equal(r.ok, false);
  assert.match(r.reason!, /@tensorflow\/tfjs-node-gpu needs CUDA 11\.2 and cuDNN 8\.1, and this machine has CUDA 12, 12\.2 and cuDNN 9 \(the loader said: libcudart\.so\.11\.0: cannot open shared object file/);
  assert.match(r.reason!, /or train on webgpu instead/);
  assert.match(r.reason!, /@tensorflow\/tfjs-node is installed but its native library is missing .* run `npm rebuild @tensorflow\/tfjs-node`/);
});

test('a build that loads but registers no backend (another tfjs-core) says which version to install', () => {
  const r = probeNativeTensorflow(linux(stubs({ '@tensorflow/tfjs-node-gpu': 'module.exports = {};', '@tensorflow/tfjs-node': 'module.exports = {};' })));
  assert.match(r.reason!, /loaded but registered no "tensorflow" backend: its @tensorflow\/tfjs-core is not Glasswing's 4\.22\.0 \(install @tensorflow\/tfjs-node-gpu@4\.22\.0\)/);
});

test('the CPU build is used when the GPU build cannot load; any other loader error is passed on', () => {
  let registered = false;
  const require = stubs({ '@tensorflow/tfjs-node-gpu': "throw new Error('GLIBC_2.29 not found');", '@tensorflow/tfjs-node': 'module.exports = {};' });
  const r = probeNativeTensorflow(
    linux((id) => {
      const m = require(id);
      if (id === '@tensorflow/tfjs-node') registered = true;
      return m;
    }, { registered: () => registered }),
  );
  assert.deepEqual(r, { ok: true, gpu: false });
  const failed = probeNativeTensorflow(linux(require));
  assert.match(failed.reason!, /@tensorflow\/tfjs-node-gpu failed to load on linux-x64: GLIBC_2\.29 not found/);
});

test('on macOS the GPU build is not tried, and the reason points to webgpu (Metal)', () => {
  const tried: string[] = [];
  const r = probeNativeTensorflow({ require: (id) => tried.push(id) && stubs({})(id), platform: 'darwin', arch: 'arm64', registered: () => false });
  assert.deepEqual(tried, ['@tensorflow/tfjs-node']);
  assert.match(r.reason!, /tfjs-node-gpu has no macOS build .* train on webgpu, which reaches the GPU through Metal/);
});

test('CUDA and cuDNN versions are read from Linux and Windows library names', () => {
  assert.equal(describeCuda([]), 'no CUDA or cuDNN libraries were found');
  assert.equal(describeCuda(['libcudart.so.11.2.72', 'libcudnn.so.8']), 'this machine has CUDA 11.2 and cuDNN 8');
  assert.equal(describeCuda(['cudart64_110.dll', 'cudnn64_8.dll']), 'this machine has CUDA 11.0 and cuDNN 8');
  assert.equal(describeCuda(['libcudnn.so.9']), 'this machine has no CUDA runtime and cuDNN 9');
});
