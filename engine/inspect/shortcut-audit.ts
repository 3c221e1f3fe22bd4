// The shortcut audit: run a CAM over many images and look for a model that looks in the wrong
// place — heat on borders and corners (watermarks, frames, scanner marks) rather than on the
// object — and in the same place for every image of a class. Images are ranked by the fraction of
// heat off the centre (see `suspicion`); each class gets a summary and, when both signs show, a
// warning.
import type * as tfl from '@tensorflow/tfjs-layers';
import { tf } from '../backends';
import { getCamMethod } from './cam/registry';
import { argmax } from './cam/base-cam';
import { exampleShape, modelInputShape } from './feature-maps';
import { InspectError, splitModel } from './split-model';
import { upsampleCam } from './render';
import { pearson } from './similarity';

export type AuditMetric = 'suspicion' | 'periphery' | 'outsideCentre' | 'border' | 'corners';

export interface AuditRequest {
  model: tfl.LayersModel;
  /** `count` preprocessed examples, one after another. */
  inputs: Float32Array;
  count: number;
  /** True class per example. */
  labels: ArrayLike<number>;
  classes?: string[];
  layer?: string;
  /**
   * Default 'layercam': Grad-CAM averages the gradient over all positions, which — behind a
   * Flatten → Dense head such as lenet5's — blurs where the evidence is; LayerCAM keeps a weight
   * per position, so a small off-centre mark stays a small off-centre spot.
   */
  method?: string;
  /** Explain the predicted class (default) or the true label. */
  explain?: 'predicted' | 'label';
  /** Rank by this score (default 'suspicion'). */
  rankBy?: AuditMetric;
  /** The centre box spans this fraction of each side (default 0.5). */
  centre?: number;
  /** Border band width as a fraction of the shorter side (default 0.125). */
  border?: number;
  /** Corner squares' side as a fraction of each side (default 0.25). */
  corner?: number;
}

export interface AuditImage {
  /** Position in the request's inputs. */
  index: number;
  label: number;
  predicted: number;
  classIndex: number;
  score: number;
  /**
   * The ranking score: how far the heat exceeds what an evenly spread map would put outside the
   * centre, on the border band, or in the corners — whichever is largest — scaled so 0 is "no
   * more than even" and 1 is "all of it". 0 for empty maps.
   */
  suspicion: number;
  /**
   * Heat-weighted mean distance from the image centre (0 at the centre, 1 on the outermost ring;
   * Chebyshev distance, so a frame is a ring): about 0.5 for heat spread evenly, near 1 for heat
   * on a border or in a corner.
   */
  periphery: number;
  /** Fractions of the map's total heat (at input resolution) in each region, 0–1. */
  outsideCentre: number;
  border: number;
  corners: number;
  /** The hottest input pixel. */
  peak: { y: number; x: number };
  /** The map is all zeros (no positive evidence at this layer): fractions are 0. */
  empty: boolean;
}

export interface ClassAudit {
  classIndex: number;
  name: string;
  /** Images whose true label is this class. */
  count: number;
  accuracy: number;
  meanSuspicion: number;
  meanPeriphery: number;
  meanOutsideCentre: number;
  meanBorder: number;
  meanCorners: number;
  /** "Same place" score: mean pairwise Pearson correlation of the class's maps (null with < 2 maps). */
  consistency: number | null;
  /** Mean of the class's maps, divided by its maximum (layer resolution). */
  meanCam: Float32Array;
  /** Share of the mean map's heat in its hottest 10% of positions (1/10 = spread evenly). */
  concentration: number;
  /** Where the mean map peaks, in input pixels, and in words ("bottom-right corner"). */
  peak: { y: number; x: number; where: string };
}

export interface AuditReport {
  layer: string;
  method: string;
  rankBy: AuditMetric;
  /** CAM resolution and input resolution. */
  shape: [number, number];
  inputSize: [number, number];
  /** What a map spread evenly over the image would score (the baseline for each fraction). */
  uniform: { periphery: number; outsideCentre: number; border: number; corners: number };
  /** Most suspicious first. */
  ranked: AuditImage[];
  classes: ClassAudit[];
  /** Plain-language warnings for classes that look like shortcuts. */
  warnings: string[];
}

interface Regions {
  distance: Float32Array;
  centre: Uint8Array;
  border: Uint8Array;
  corners: Uint8Array;
}

function regions(H: number, W: number, centre: number, border: number, corner: number): Regions {
  const c = new Uint8Array(H * W);
  const b = new Uint8Array(H * W);
  const k = new Uint8Array(H * W);
  const d = new Float32Array(H * W);
  const cy0 = Math.floor((H * (1 - centre)) / 2);
  const cy1 = Math.ceil((H * (1 + centre)) / 2);
  const cx0 = Math.floor((W * (1 - centre)) / 2);
  const cx1 = Math.ceil((W * (1 + centre)) / 2);
  const band = Math.max(1, Math.round(border * Math.min(H, W)));
  const ky = Math.max(1, Math.round(corner * H));
  const kx = Math.max(1, Math.round(corner * W));
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      const p = y * W + x;
      const dy = H > 1 ? Math.abs(y - (H - 1) / 2) / ((H - 1) / 2) : 0;
      const dx = W > 1 ? Math.abs(x - (W - 1) / 2) / ((W - 1) / 2) : 0;
      d[p] = Math.max(dy, dx);
      c[p] = y >= cy0 && y < cy1 && x >= cx0 && x < cx1 ? 1 : 0;
      b[p] = y < band || y >= H - band || x < band || x >= W - band ? 1 : 0;
      k[p] = (y < ky || y >= H - ky) && (x < kx || x >= W - kx) ? 1 : 0;
    }
  }
  return { distance: d, centre: c, border: b, corners: k };
}

function where(y: number, x: number, H: number, W: number): string {
  const row = y < H / 3 ? 'top' : y >= (2 * H) / 3 ? 'bottom' : 'middle';
  const col = x < W / 3 ? 'left' : x >= (2 * W) / 3 ? 'right' : 'centre';
  if (row === 'middle' && col === 'centre') return 'centre';
  if (row === 'middle') return `${col} edge`;
  if (col === 'centre') return `${row} edge`;
  return `${row}-${col} corner`;
}

export function shortcutAudit(request: AuditRequest): AuditReport {
  const { model, inputs, count, labels } = request;
  const rankBy = request.rankBy ?? 'suspicion';
  const explain = request.explain ?? 'predicted';
  exampleShape(model, inputs, count);
  if (labels.length !== count) throw new InspectError(`Expected ${count} labels, got ${labels.length}.`);
  const inputShape = modelInputShape(model);
  if (inputShape.length !== 3) throw new InspectError(`The shortcut audit needs image inputs; this model takes [${inputShape.join(', ')}].`);
  const [H, W] = inputShape as [number, number, number];
  const size = inputShape.reduce((a, b) => a * b, 1);
  const cam = getCamMethod(request.method ?? 'layercam');
  const split = splitModel(model, request.layer);

  // Predictions (one cheap forward pass per batch).
  const predicted: number[] = [];
  for (let start = 0; start < count; start += 64) {
    const n = Math.min(64, count - start);
    const logits = tf.tidy(() => split.logits(tf.tensor(inputs.subarray(start * size, (start + n) * size), [n, ...inputShape])));
    const v = logits.dataSync();
    logits.dispose();
    const k = v.length / n;
    for (let i = 0; i < n; i++) predicted.push(argmax(v.subarray(i * k, (i + 1) * k)));
  }
  const labelList = Array.from(labels, (l) => Math.round(l));
  const results = cam.computeMany(model, inputs, count, { layer: split.layer, classIndices: explain === 'label' ? labelList : predicted });
  const shape = results[0]?.shape ?? [0, 0];
  const reg = regions(H, W, request.centre ?? 0.5, request.border ?? 0.125, request.corner ?? 0.25);
  const share = (mask: Uint8Array) => mask.reduce((a, v) => a + v, 0) / (H * W);
  const uniform = { periphery: reg.distance.reduce((a, v) => a + v, 0) / (H * W), outsideCentre: 1 - share(reg.centre), border: share(reg.border), corners: share(reg.corners) };

  const images: AuditImage[] = results.map((r, i) => {
    const up = upsampleCam(r.cam, r.shape, H, W);
    let total = 0;
    let distance = 0;
    let inCentre = 0;
    let onBorder = 0;
    let inCorners = 0;
    let best = 0;
    for (let p = 0; p < up.length; p++) {
      const v = up[p]!;
      total += v;
      distance += v * reg.distance[p]!;
      if (reg.centre[p]) inCentre += v;
      if (reg.border[p]) onBorder += v;
      if (reg.corners[p]) inCorners += v;
      if (v > up[best]!) best = p;
    }
    const empty = !(total > 0);
    const excess = (fraction: number, base: number) => Math.max(0, (fraction - base) / (1 - base));
    const outsideCentre = empty ? 0 : 1 - inCentre / total;
    const border = empty ? 0 : onBorder / total;
    const corners = empty ? 0 : inCorners / total;
    return {
      index: i,
      label: labelList[i]!,
      predicted: predicted[i]!,
      classIndex: r.classIndex,
      score: r.score,
      suspicion: empty ? 0 : Math.max(excess(outsideCentre, uniform.outsideCentre), excess(border, uniform.border), excess(corners, uniform.corners)),
      periphery: empty ? 0 : distance / total,
      outsideCentre,
      border,
      corners,
      peak: { y: Math.floor(best / W), x: best % W },
      empty,
    };
  });
  const ranked = [...images].sort((a, b) => b[rankBy] - a[rankBy] || a.index - b.index);

  const numClasses = Math.max(request.classes?.length ?? 0, ...labelList.map((l) => l + 1), ...predicted.map((p) => p + 1));
  const classes: ClassAudit[] = [];
  const warnings: string[] = [];
  for (let k = 0; k < numClasses; k++) {
    const members = images.filter((im) => im.label === k);
    const name = request.classes?.[k] ?? String(k);
    const mean = (f: (im: AuditImage) => number) => (members.length ? members.reduce((a, im) => a + f(im), 0) / members.length : 0);
    const maps = members.filter((im) => !im.empty).map((im) => results[im.index]!.cam);
    const sample = maps.slice(0, 40);
    let pairs = 0;
    let corr = 0;
    for (let i = 0; i < sample.length; i++) for (let j = i + 1; j < sample.length; j++) {
      corr += pearson(sample[i]!, sample[j]!);
      pairs++;
    }
    const meanCam = new Float32Array(shape[0] * shape[1]);
    for (const m of maps) for (let p = 0; p < m.length; p++) meanCam[p]! += m[p]! / maps.length;
    const top = meanCam.reduce((m, v) => (v > m ? v : m), 0);
    if (top > 0) for (let p = 0; p < meanCam.length; p++) meanCam[p]! /= top;
    const sorted = Array.from(meanCam).sort((a, b) => b - a);
    const mass = sorted.reduce((a, v) => a + v, 0);
    const concentration = mass > 0 ? sorted.slice(0, Math.max(1, Math.round(sorted.length / 10))).reduce((a, v) => a + v, 0) / mass : 0;
    const upMean = upsampleCam(meanCam, shape, H, W);
    const peakIndex = argmax(upMean);
    const py = Math.floor(peakIndex / W);
    const px = peakIndex % W;
    const summary: ClassAudit = {
      classIndex: k,
      name,
      count: members.length,
      accuracy: members.length ? members.filter((im) => im.predicted === k).length / members.length : 0,
      meanSuspicion: mean((im) => im.suspicion),
      meanPeriphery: mean((im) => im.periphery),
      meanOutsideCentre: mean((im) => im.outsideCentre),
      meanBorder: mean((im) => im.border),
      meanCorners: mean((im) => im.corners),
      consistency: pairs ? corr / pairs : null,
      meanCam,
      concentration,
      peak: { y: py, x: px, where: where(py, px, H, W) },
    };
    classes.push(summary);
    if (members.length >= 2 && summary.meanSuspicion >= 0.3 && (summary.consistency ?? 0) >= 0.5 && summary.peak.where !== 'centre') {
      warnings.push(
        `Class "${name}": the model looks at the same place in every image (consistency ${summary.consistency!.toFixed(2)}), ` +
          `off the centre, peaking at the ${summary.peak.where} (${Math.round(summary.meanOutsideCentre * 100)}% of the heat outside the centre, ` +
          `${Math.round(summary.meanCorners * 100)}% in the corners). It may be using a watermark, border or background artefact instead of the object.`,
      );
    }
  }
  return { layer: split.layer, method: cam.name, rankBy, shape, inputSize: [H, W], uniform, ranked, classes, warnings };
}
