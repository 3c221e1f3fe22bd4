// The dataset importer's benchmark: import time and peak memory (RSS high-water mark, measured in
// a fresh child process per case with process.resourceUsage().maxRSS) for 10,000 generated 64×64
// RGB PNGs in 10 classes and a generated 100,000-row CSV. The data is generated once into
// GLASSWING_BENCH_DIR (default: the temp folder's glasswing-bench-import) and reused. Each import
// must peak under 1 GiB. Run alone: `node --import tsx bench/import.ts`.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { seededRandom } from '../compute/random';

export const IMPORT_MEMORY_LIMIT_MIB = 1024;

export interface ImportBenchRow {
  case: string;
  /** What was imported, in words. */
  data: string;
  examples: number;
  seconds: number;
  examplesPerSec: number;
  peakRssMiB: number;
  /** Whether the case is one the 1 GiB limit applies to (imports; prepare rows are for information). */
  limited: boolean;
  withinLimit: boolean;
}

export interface ImportBenchReport {
  rows: ImportBenchRow[];
  dataDir: string;
  limitMiB: number;
  node: string;
}

export interface ImportBenchOptions {
  images?: number;
  csvRows?: number;
  dataDir?: string;
  log?: (line: string) => void;
}

type CaseName = 'images-cold' | 'images-cached' | 'images-prepare' | 'csv' | 'csv-prepare';

interface ChildResult {
  examples: number;
  seconds: number;
  maxRssKiB: number;
}

const mulberry32 = seededRandom;

/** 10 classes of 64×64 pictures: a class colour, a random blob and noise (PNGs of a few KB, like photos shrunk). */
async function generateImages(dir: string, count: number, log: (l: string) => void): Promise<void> {
  const marker = path.join(dir, '.complete');
  if (existsSync(marker) && (await readFile(marker, 'utf8')) === String(count)) return;
  await rm(dir, { recursive: true, force: true });
  const { default: sharp } = await import('sharp');
  const size = 64;
  log(`generating ${count.toLocaleString('en-US')} PNGs in ${dir} …`);
  const started = Date.now();
  let next = 0;
  const worker = async () => {
    for (;;) {
      const i = next++;
      if (i >= count) return;
      const cls = i % 10;
      const random = mulberry32(i + 1);
      const px = Buffer.alloc(size * size * 3);
      const cx = random() * size;
      const cy = random() * size;
      const r = 8 + random() * 16;
      const base = [(cls * 73) % 256, (cls * 151) % 256, (cls * 37 + 90) % 256];
      for (let y = 0; y < size; y++) {
        for (let x = 0; x < size; x++) {
          const inside = (x - cx) ** 2 + (y - cy) ** 2 < r * r;
          for (let c = 0; c < 3; c++) {
            const v = inside ? 255 - base[c]! : base[c]! + ((x + y) * (c + 1)) / 4;
            px[(y * size + x) * 3 + c] = Math.max(0, Math.min(255, v + (random() - 0.5) * 24));
          }
        }
      }
      const file = path.join(dir, `class-${cls}`, `${String(i).padStart(5, '0')}.png`);
      await writeFile(file, await sharp(px, { raw: { width: size, height: size, channels: 3 } }).png().toBuffer());
    }
  };
  for (let c = 0; c < 10; c++) await mkdir(path.join(dir, `class-${c}`), { recursive: true });
  await Promise.all(Array.from({ length: 8 }, worker));
  await writeFile(marker, String(count));
  log(`generated in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

/** A house-price-like table: 8 numeric columns (a few missing), 2 categorical, a numeric target. */
async function generateCsv(file: string, rows: number, log: (l: string) => void): Promise<void> {
  const marker = `${file}.complete`;
  if (existsSync(marker) && (await readFile(marker, 'utf8')) === String(rows)) return;
  log(`generating a ${rows.toLocaleString('en-US')}-row CSV at ${file} …`);
  const random = mulberry32(7);
  const cities = Array.from({ length: 20 }, (_, i) => `city_${String.fromCharCode(65 + i)}`);
  const types = ['detached', 'semi', 'terraced', 'flat', 'bungalow'];
  const lines = ['area,rooms,age,lat,lon,garden,garage,distance,city,type,price'];
  for (let i = 0; i < rows; i++) {
    const area = 40 + random() * 200;
    const rooms = 1 + Math.floor(random() * 7);
    const age = random() < 0.02 ? 'NA' : (random() * 120).toFixed(0);
    const city = cities[Math.floor(random() * cities.length)]!;
    const type = types[Math.floor(random() * types.length)]!;
    const price = 50_000 + area * 1800 + rooms * 9000 + (cities.indexOf(city) * 4000) + random() * 40_000;
    lines.push(
      [area.toFixed(1), rooms, age, (50 + random() * 5).toFixed(5), (-3 + random() * 5).toFixed(5), (random() * 500).toFixed(0), random() < 0.5 ? 1 : 0, (random() * 30).toFixed(2), city, type, price.toFixed(0)].join(','),
    );
  }
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, lines.join('\n') + '\n');
  await writeFile(marker, String(rows));
}

/** One case in this process (the child); prints its result as JSON. */
async function runCase(name: CaseName, target: string, cacheDir: string): Promise<void> {
  const { loadDataset } = await import('../engine/datasets/load');
  const { prepareData } = await import('../engine/datasets/prepare');
  const started = performance.now();
  let examples = 0;
  if (name.startsWith('images')) {
    const ds = await loadDataset(target, { height: 64, width: 64, color: 'rgb', cacheDir });
    examples = ds.count;
    if (name === 'images-prepare') prepareData(ds, 0.2, 0.2, 1);
  } else {
    const ds = await loadDataset(target, { labelColumn: 'price' });
    examples = ds.count;
    if (name === 'csv-prepare') prepareData(ds, 0.2, 0.2, 1);
  }
  const result: ChildResult = { examples, seconds: (performance.now() - started) / 1000, maxRssKiB: process.resourceUsage().maxRSS };
  process.stdout.write(JSON.stringify(result) + '\n');
}

function child(name: CaseName, target: string, cacheDir: string): Promise<ChildResult> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, ['--import', 'tsx', __filename, '--child', name, target, cacheDir], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    p.stdout.on('data', (d: Buffer) => (out += d.toString()));
    p.stderr.on('data', (d: Buffer) => (err += d.toString()));
    p.on('error', reject);
    p.on('close', (code) => {
      const line = out.trim().split('\n').at(-1);
      if (code !== 0 || !line) reject(new Error(`import bench case ${name} failed (exit ${code}): ${err.trim().split('\n').slice(-3).join(' ')}`));
      else resolve(JSON.parse(line) as ChildResult);
    });
  });
}

export async function runImportBench(options: ImportBenchOptions = {}): Promise<ImportBenchReport> {
  const log = options.log ?? ((l: string) => process.stderr.write(`${l}\n`));
  const images = options.images ?? 10_000;
  const csvRows = options.csvRows ?? 100_000;
  const dataDir = options.dataDir ?? process.env['GLASSWING_BENCH_DIR'] ?? path.join(tmpdir(), 'glasswing-bench-import');
  const imageDir = path.join(dataDir, `png-64x64-${images}`);
  const csvFile = path.join(dataDir, `houses-${csvRows}.csv`);
  const cacheDir = path.join(dataDir, 'cache');
  await generateImages(imageDir, images, log);
  await generateCsv(csvFile, csvRows, log);
  await rm(cacheDir, { recursive: true, force: true });
  const cases: { name: CaseName; data: string; target: string; limited: boolean }[] = [
    { name: 'images-cold', data: `${images.toLocaleString('en-US')} PNGs 64×64 RGB, decoded (no cache)`, target: imageDir, limited: true },
    { name: 'images-cached', data: 'the same, re-opened from the cache', target: imageDir, limited: true },
    { name: 'images-prepare', data: 'cached import + prepareData (Float32 splits)', target: imageDir, limited: false },
    { name: 'csv', data: `CSV ${csvRows.toLocaleString('en-US')} rows × 11 columns (2 categorical)`, target: csvFile, limited: true },
    { name: 'csv-prepare', data: 'CSV import + prepareData (one-hot, scaling)', target: csvFile, limited: false },
  ];
  const rows: ImportBenchRow[] = [];
  for (const c of cases) {
    log(`import bench: ${c.name} …`);
    const r = await child(c.name, c.target, cacheDir);
    const peakRssMiB = r.maxRssKiB / 1024;
    rows.push({
      case: c.name,
      data: c.data,
      examples: r.examples,
      seconds: r.seconds,
      examplesPerSec: r.examples / r.seconds,
      peakRssMiB,
      limited: c.limited,
      withinLimit: peakRssMiB < IMPORT_MEMORY_LIMIT_MIB,
    });
  }
  return { rows, dataDir, limitMiB: IMPORT_MEMORY_LIMIT_MIB, node: process.version };
}

export function formatImportBench(report: ImportBenchReport): string {
  const header = ['case', 'data', 'examples', 'seconds', 'examples/s', 'peak RSS', `< ${report.limitMiB} MiB`];
  const body = report.rows.map((r) => [
    r.case,
    r.data,
    r.examples.toLocaleString('en-US'),
    r.seconds.toFixed(2),
    Math.round(r.examplesPerSec).toLocaleString('en-US'),
    `${Math.round(r.peakRssMiB)} MiB`,
    r.limited ? (r.withinLimit ? 'yes' : 'NO') : '(info)',
  ]);
  const all = [header, ...body];
  const widths = header.map((_, j) => Math.max(...all.map((row) => row[j]!.length)));
  const numeric = new Set([2, 3, 4, 5]);
  const line = (row: string[]) => row.map((c, j) => (numeric.has(j) ? c.padStart(widths[j]!) : c.padEnd(widths[j]!))).join('  ').trimEnd();
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...body.map(line)].join('\n');
}

if (process.argv[2] === '--child' && path.basename(process.argv[1] ?? '') === path.basename(__filename)) {
  runCase(process.argv[3] as CaseName, process.argv[4]!, process.argv[5]!).then(
    () => process.exit(0),
    (e: unknown) => {
      console.error(e);
      process.exit(1);
    },
  );
} else if (path.resolve(process.argv[1] ?? '') === path.resolve(__filename)) {
  runImportBench().then(
    (report) => {
      process.stdout.write(`${formatImportBench(report)}\n\n${JSON.stringify(report, null, 2)}\n`);
      process.exit(report.rows.every((r) => !r.limited || r.withinLimit) ? 0 : 1);
    },
    (e: unknown) => {
      console.error(e);
      process.exit(1);
    },
  );
}
