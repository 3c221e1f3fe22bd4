// TensorFlow's native library as a TF.js backend ("tensorflow"): the optional packages
// @tensorflow/tfjs-node-gpu (CUDA) and @tensorflow/tfjs-node (CPU). They are optionalDependencies:
// npm skips them where their install script cannot fetch libtensorflow, and loading them can fail
// for many reasons (no NVIDIA driver, another CUDA than the 11.2 they were built for). This finds
// out which, in a sentence a person can act on, and never throws.
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';

export interface NativeProbe {
  ok: boolean;
  /** The GPU build loaded (CUDA). */
  gpu?: boolean;
  reason?: string;
}

export interface NativeProbeEnv {
  /** Loads a package (the engine's require; tests pass stubs). */
  require: (id: string) => unknown;
  platform: NodeJS.Platform;
  arch: string;
  /** Whether a "tensorflow" backend is registered after loading. */
  registered: () => boolean;
  /** CUDA and cuDNN libraries found on this machine (file names). */
  libraries?: () => string[];
}

export const CUDA_NEEDED = '11.2';
export const CUDNN_NEEDED = '8.1';

/** File names in the folders where CUDA and cuDNN libraries are usually found. */
export function findCudaLibraries(env: NodeJS.ProcessEnv = process.env, platform = process.platform): string[] {
  const dirs = new Set<string>();
  for (const d of (env['LD_LIBRARY_PATH'] ?? '').split(':')) if (d) dirs.add(d);
  if (platform === 'win32') {
    for (const key of Object.keys(env)) if (/^CUDA_PATH/.test(key) && env[key]) dirs.add(path.join(env[key]!, 'bin'));
    for (const d of (env['PATH'] ?? '').split(';')) if (/cuda|cudnn/i.test(d)) dirs.add(d);
  } else {
    for (const d of ['/usr/lib/x86_64-linux-gnu', '/usr/lib/aarch64-linux-gnu', '/usr/lib64', '/usr/local/lib', '/usr/local/cuda/lib64']) dirs.add(d);
    try {
      for (const name of readdirSync('/usr/local')) if (name.startsWith('cuda')) dirs.add(path.join('/usr/local', name, 'lib64'));
    } catch {
      /* no /usr/local */
    }
  }
  const found: string[] = [];
  for (const d of dirs) {
    if (!existsSync(d)) continue;
    try {
      for (const name of readdirSync(d)) if (/^(lib)?(cudart|cudnn)/i.test(name)) found.push(name);
    } catch {
      /* unreadable folder */
    }
  }
  return [...new Set(found)];
}

/** "this machine has CUDA 12.2 and cuDNN 9", from library names (libcudart.so.12.2.140, cudart64_110.dll, …). */
export function describeCuda(libraries: string[]): string {
  const cuda = new Set<string>();
  const cudnn = new Set<string>();
  for (const l of libraries) {
    const so = /^libcudart\.so\.(\d+)(?:\.(\d+))?/.exec(l);
    if (so) cuda.add(so[2] ? `${so[1]}.${so[2]}` : so[1]!);
    const dll = /^cudart64_(\d+)\.dll$/i.exec(l);
    if (dll) cuda.add(dll[1]!.length === 3 ? `${dll[1]!.slice(0, 2)}.${dll[1]!.slice(2)}` : dll[1]!);
    const dnn = /^(?:libcudnn\.so\.|cudnn64_)(\d+)/i.exec(l);
    if (dnn) cudnn.add(dnn[1]!);
  }
  if (!cuda.size && !cudnn.size) return 'no CUDA or cuDNN libraries were found';
  const list = (s: Set<string>) => [...s].sort().join(', ');
  return `this machine has ${cuda.size ? `CUDA ${list(cuda)}` : 'no CUDA runtime'} and ${cudnn.size ? `cuDNN ${list(cudnn)}` : 'no cuDNN'}`;
}

const firstLine = (e: unknown) => String((e as Error)?.message ?? e).split('\n')[0] ?? '';

function notInstalled(e: unknown, pkg: string): boolean {
  const code = (e as { code?: string }).code;
  const msg = firstLine(e);
  // The package itself is missing, not a file it needs (its native binding, a dependency).
  return code === 'MODULE_NOT_FOUND' && msg.includes(`'${pkg}'`);
}

/** Tries the GPU build, then the CPU build; the reason names what was tried and what to do. */
export function probeNativeTensorflow(env: NativeProbeEnv): NativeProbe {
  const failures: string[] = [];
  for (const [pkg, gpu] of [['@tensorflow/tfjs-node-gpu', true], ['@tensorflow/tfjs-node', false]] as const) {
    if (gpu && env.platform === 'darwin') {
      failures.push(`${pkg} has no macOS build (TensorFlow dropped CUDA on macOS); on a Mac, train on webgpu, which reaches the GPU through Metal`);
      continue;
    }
    try {
      env.require(pkg);
      if (env.registered()) return { ok: true, gpu };
      failures.push(`${pkg} loaded but registered no "tensorflow" backend: its @tensorflow/tfjs-core is not Glasswing's 4.22.0 (install ${pkg}@4.22.0)`);
    } catch (e) {
      const msg = firstLine(e);
      if (notInstalled(e, pkg)) {
        failures.push(
          gpu
            ? `${pkg} is not installed (npm skips it where its install script cannot download libtensorflow, or with --omit=optional); it needs Linux or Windows on x64, an NVIDIA GPU, CUDA ${CUDA_NEEDED} and cuDNN ${CUDNN_NEEDED} — then run \`npm install @tensorflow/tfjs-node-gpu@4.22.0\` in Glasswing's folder`
            : `${pkg} is not installed (run \`npm install @tensorflow/tfjs-node@4.22.0\` in Glasswing's folder, with internet access, for TensorFlow's native CPU build)`,
        );
      } else if (/tfjs_binding\.node|napi-v\d/.test(msg)) {
        failures.push(`${pkg} is installed but its native library is missing (its install script did not run or could not download it): run \`npm rebuild ${pkg}\` with internet access`);
      } else if (gpu && /cud(a|art|nn)|cublas|cufft|curand|cusolver|cusparse|libnvidia|nvcuda/i.test(msg)) {
        const found = describeCuda(env.libraries?.() ?? []);
        failures.push(`${pkg} needs CUDA ${CUDA_NEEDED} and cuDNN ${CUDNN_NEEDED}, and ${found} (the loader said: ${msg}); install those versions beside your current ones, or train on webgpu instead`);
      } else {
        failures.push(`${pkg} failed to load on ${env.platform}-${env.arch}: ${msg}`);
      }
    }
  }
  return { ok: false, reason: failures.join('; ') };
}
