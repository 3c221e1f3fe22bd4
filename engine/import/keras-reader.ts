// Reads Keras model files: Keras 3's .keras (a zip of config.json, metadata.json and
// model.weights.h5) and the legacy Keras 2 .h5 (model_config attribute + model_weights group).
// Zip reading is fflate (8 kB, no dependencies, synchronous unzip of a buffer) rather than jszip,
// which is several times larger and asynchronous only.
import { unzipSync } from 'fflate';
import type { ModelTopology } from '../../common/model/keras-format';
import type { LayerGraph } from '../../common/model/graph';
import { H5File } from './hdf5';
import { kerasTopology } from './keras-config';
import type { KerasWeight } from './keras-builder';
import { ModelImportError, reason } from './errors';

export interface KerasFile {
  source: 'keras' | 'h5';
  kerasVersion: string | null;
  topology: ModelTopology;
  graph: LayerGraph;
  /** Each layer's weights in Keras's order (kernel, bias; gamma, beta, moving mean, moving variance; …). */
  weights: Map<string, KerasWeight[]>;
  leadingRescaling: { scale: number; offset: number } | null;
  notes: string[];
}

function parseJson(text: string, what: string): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new ModelImportError(`${what} is not valid JSON: ${reason(e)}`);
  }
}

/**
 * Keras 3's H5IOStore: each layer's variables at layers/<name>/vars/0, 1, … in creation order;
 * layers with sub-objects (an RNN's cell) keep theirs in child groups, e.g. layers/lstm/cell/vars.
 */
function keras3Weights(h5: H5File, path: string): KerasWeight[] {
  const out: KerasWeight[] = [];
  const vars = `${path}/vars`;
  if (h5.isGroup(vars)) {
    const names = h5.keys(vars).filter((k) => /^\d+$/.test(k)).sort((a, b) => Number(a) - Number(b));
    for (const n of names) out.push(h5.dataset(`${vars}/${n}`));
  }
  for (const child of h5.keys(path).filter((k) => k !== 'vars').sort()) {
    if (h5.isGroup(`${path}/${child}`)) out.push(...keras3Weights(h5, `${path}/${child}`));
  }
  return out;
}

/** The entries of a .keras archive that are read, and the most each may inflate to. */
const KERAS_ENTRIES: Record<string, number> = { 'config.json': 64 * 2 ** 20, 'metadata.json': 2 ** 20, 'model.weights.h5': 2 ** 31 };
/** Beyond 64 MiB, an entry that inflates to more than this many times its stored size is not weights (they barely compress) but a zip bomb. */
const MAX_INFLATION = 50;

export function readKerasArchive(bytes: Uint8Array, file: string): KerasFile {
  let entries: Record<string, Uint8Array>;
  try {
    // Only the entries Keras writes are inflated, each to at most its declared size (fflate inflates
    // into a buffer of that size), and a declared size must be plausible: a small file that
    // declares gigabytes would otherwise take the engine's memory.
    entries = unzipSync(bytes, {
      filter: (entry) => {
        const limit = KERAS_ENTRIES[entry.name];
        if (limit === undefined) return false;
        if (entry.originalSize > limit || (entry.originalSize > 64 * 2 ** 20 && entry.originalSize > MAX_INFLATION * entry.size)) {
          throw new ModelImportError(`${file}: its ${entry.name} would inflate to ${(entry.originalSize / 2 ** 20).toFixed(0)} MB from ${(entry.size / 2 ** 20).toFixed(1)} MB, which no Keras model does; the archive is damaged or not a model.`);
        }
        return true;
      },
    });
  } catch (e) {
    if (e instanceof ModelImportError) throw e;
    throw new ModelImportError(`${file} is not a readable .keras archive (a zip file; it may be truncated): ${reason(e)}.`);
  }
  const configBytes = entries['config.json'];
  if (!configBytes) throw new ModelImportError(`${file} has no config.json; it is not a Keras 3 .keras file.`);
  const weightsBytes = entries['model.weights.h5'];
  if (!weightsBytes) throw new ModelImportError(`${file} has no model.weights.h5; save the model with model.save("model.keras").`);
  const metadata = entries['metadata.json'] ? (parseJson(new TextDecoder().decode(entries['metadata.json']), `${file}: metadata.json`) as Record<string, unknown>) : {};
  const config = parseJson(new TextDecoder().decode(configBytes), `${file}: config.json`);
  const mapped = kerasTopology(config, file, true);
  const h5 = H5File.open(weightsBytes, `${file}: model.weights.h5`);
  const weights = new Map<string, KerasWeight[]>();
  for (const layer of mapped.graph.layers) {
    if (layer.className === 'InputLayer') continue;
    const path = `layers/${layer.name}`;
    const ws = h5.isGroup(path) ? keras3Weights(h5, path) : [];
    if (ws.length) weights.set(layer.name, ws);
  }
  return { source: 'keras', kerasVersion: typeof metadata['keras_version'] === 'string' ? metadata['keras_version'] : null, ...mapped, weights };
}

export function readKerasH5(bytes: Uint8Array, file: string): KerasFile {
  const h5 = H5File.open(bytes, file);
  const configText = h5.stringAttr('/', 'model_config');
  if (!configText) {
    const weightsOnly = h5.stringListAttr('/', 'layer_names') !== null || h5.has('layers') || h5.has('model_weights');
    throw new ModelImportError(
      weightsOnly
        ? `${file} is a weights-only file (model.save_weights(...)): it has no model config. Save the whole model with model.save(...) and import that.`
        : `${file} is an HDF5 file without a Keras model config; save the whole model with model.save(...).`,
    );
  }
  const version = h5.stringAttr('/', 'keras_version');
  const keras3 = !!version && Number(version.split('.')[0]) >= 3;
  const mapped = kerasTopology(parseJson(configText, `${file}: model_config`), file, keras3);
  const root = h5.has('model_weights') ? 'model_weights' : '';
  const weights = new Map<string, KerasWeight[]>();
  for (const layer of mapped.graph.layers) {
    if (layer.className === 'InputLayer') continue;
    const group = root ? `${root}/${layer.name}` : layer.name;
    if (!h5.isGroup(group)) continue;
    // Keras 2's save_weights_to_hdf5_group: the layer's weight_names attribute gives the order.
    const names = h5.stringListAttr(group, 'weight_names') ?? [];
    const ws = names.map((n) => h5.dataset(`${group}/${n}`));
    if (ws.length) weights.set(layer.name, ws);
  }
  return { source: 'h5', kerasVersion: version, ...mapped, weights };
}
