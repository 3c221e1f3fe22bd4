// The inspect domain of the contract: request schemas, responses and events.
//
// Everything here crosses JSON (the web host's WebSocket), so maps and weights travel as plain
// number arrays (rounded to 5 significant digits) and images as base64 bytes. Wide layers are
// paginated by channel (`offset`, `limit`) so one reply stays small.
import { z } from 'zod';
import type { RunInfo } from './training';
import { runIdSchema } from './shared';

const runId = runIdSchema;
const layer = z.string().min(1).max(500);
const method = z.string().min(1).max(50);
export const INSPECT_SPLITS = ['train', 'validation', 'test'] as const;
export type InspectSplit = (typeof INSPECT_SPLITS)[number];

/** An example of the run's data by split and position, or an image file's bytes (PNG, JPEG, …). */
const sampleRef = z.union([
  z.object({ split: z.enum(INSPECT_SPLITS), index: z.number().int().min(0).max(100_000_000) }).strict(),
  z.object({ imageBase64: z.string().min(4).max(30_000_000), name: z.string().max(500).optional() }).strict(),
]);
export type SampleRef = z.infer<typeof sampleRef>;

const page = { offset: z.number().int().min(0).max(1_000_000).optional(), limit: z.number().int().min(1).max(4096).optional() };

export const GALLERY_FILTERS = ['all', 'wrong', 'right'] as const;
export const GALLERY_SORTS = ['index', 'confidence-asc', 'confidence-desc'] as const;

export const inspectRequests = {
  'inspect.runs': z.object({}).strict(),
  'inspect.layers': z.object({ runId }).strict(),
  'inspect.samples': z
    .object({
      runId,
      filter: z.enum(GALLERY_FILTERS).optional(),
      classIndex: z.number().int().min(0).max(100_000).optional(),
      sort: z.enum(GALLERY_SORTS).optional(),
      offset: z.number().int().min(0).max(100_000_000).optional(),
      limit: z.number().int().min(1).max(200).optional(),
    })
    .strict(),
  'inspect.featureMaps': z.object({ runId, sample: sampleRef, layer, ...page }).strict(),
  'inspect.filters': z.object({ runId, layer, ...page }).strict(),
  'inspect.cam': z.object({ runId, sample: sampleRef, layer: layer.optional(), classIndex: z.number().int().min(0).max(100_000).optional(), method: method.optional() }).strict(),
  'inspect.audit': z.object({ runId, method: method.optional(), layer: layer.optional(), top: z.number().int().min(1).max(200).optional() }).strict(),
  'inspect.sanity': z.object({ runId, sample: sampleRef, layer: layer.optional(), method: method.optional(), classIndex: z.number().int().min(0).max(100_000).optional() }).strict(),
  /** Pins test examples of the run (`samples`, positions in its test split) and source rows (`rows`); replaces earlier pins on that dataset. */
  'inspect.pin': z.object({ runId, samples: z.array(z.number().int().min(0).max(100_000_000)).max(8), rows: z.array(z.number().int().min(0).max(100_000_000)).max(8).optional() }).strict(),
  'inspect.snapshots': z.object({ runId }).strict(),
} as const;

/** Model-sized pixels 0–255, row-major h × w × channels, as base64 of the bytes. */
export interface PixelImage {
  width: number;
  height: number;
  channels: 1 | 3;
  pixels: string;
}

/** A run as the inspector lists it: the run's one name, data set and model, and whether it takes images. */
export interface InspectRunInfo extends RunInfo {
  /** The model takes images (so maps, CAMs and the gallery apply). */
  image: boolean;
}

export interface InspectLayer {
  path: string;
  name: string;
  className: string;
  outputShape: number[] | null;
  /** h × w × c output: feature-map grid and CAM target. */
  spatial: boolean;
  hasFilters: boolean;
  depth: number;
  /** Channels (spatial layers) or units (flat layers). */
  channels: number;
}

export interface CamMethodInfo {
  name: string;
  label: string;
  description: string;
  usesGradients: boolean;
}

export interface InspectLayersReply {
  runId: string;
  layers: InspectLayer[];
  /** The automatic CAM target (last spatial layer), or null with `noConvMessage` when there is none. */
  defaultTarget: string | null;
  noConvMessage: string | null;
  /** The first convolution (the live snapshots' feature maps). */
  firstConv: string | null;
  camMethods: CamMethodInfo[];
  classes: string[];
  inputShape: number[];
  image: boolean;
}

export interface GalleryItem {
  split: InspectSplit;
  index: number;
  /** Row of the example in the source dataset (stable across runs on the same data). */
  datasetIndex: number;
  label: number;
  predicted: number;
  confidence: number;
  probabilities: number[];
  /** Null when the run's data are not images. */
  thumbnail: PixelImage | null;
}

export interface SamplesReply {
  runId: string;
  total: number;
  offset: number;
  items: GalleryItem[];
  counts: { all: number; wrong: number; right: number };
  classes: string[];
}

export interface SamplePrediction {
  /** The image as the model sees it (resized), for drawing. */
  image: PixelImage | null;
  /** The true class for dataset examples; null for dropped images. */
  label: number | null;
  predicted: number;
  probabilities: number[];
}

export interface FeatureMapsReply {
  layer: string;
  className: string;
  /** The layer's full output shape: [h, w, c] or [units]. */
  shape: number[];
  /** The channels (or units) in `data`: offset .. offset + count − 1 of `total`. */
  offset: number;
  count: number;
  total: number;
  /** [h, w, count] channel fastest (spatial) or [count] (flat). */
  data: number[];
  /** Over the whole layer (every channel), for one colour scale per layer. */
  min: number;
  max: number;
  sample: SamplePrediction;
}

export interface FiltersReply {
  layer: string;
  /** [kh, kw, cin, cout] of the whole kernel. */
  shape: number[];
  offset: number;
  count: number;
  total: number;
  /** [kh, kw, cin, count]: the output channels offset .. offset + count − 1. */
  data: number[];
  bias: number[] | null;
  /** Over the whole kernel. */
  min: number;
  max: number;
}

export interface CamReply {
  layer: string;
  method: string;
  classIndex: number;
  score: number;
  shape: [number, number];
  /** h × w in [0, 1]. */
  cam: number[];
  sample: SamplePrediction;
}

/** How one image's map scores in the shortcut audit (engine/inspect/shortcut-audit.ts computes it). */
export interface AuditScores {
  label: number;
  predicted: number;
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

export interface AuditItem extends AuditScores {
  split: InspectSplit;
  index: number;
  cam: number[];
  thumbnail: PixelImage;
}

export interface AuditClass {
  classIndex: number;
  name: string;
  count: number;
  accuracy: number;
  meanSuspicion: number;
  meanOutsideCentre: number;
  meanCorners: number;
  consistency: number | null;
  concentration: number;
  meanCam: number[];
  peak: { y: number; x: number; where: string };
}

export interface AuditReply {
  layer: string;
  method: string;
  shape: [number, number];
  inputSize: [number, number];
  /** Images audited (validation and test splits). */
  count: number;
  uniform: { periphery: number; outsideCentre: number; border: number; corners: number };
  /** The most suspicious first (top N). */
  ranked: AuditItem[];
  classes: AuditClass[];
  warnings: string[];
}

export interface SanityReply {
  layer: string;
  method: string;
  classIndex: number;
  shape: [number, number];
  original: number[];
  steps: { layer: string; spearman: number; pearson: number; ssim: number; cam: number[] }[];
  final: { spearman: number; pearson: number; ssim: number };
  summary: string;
}

export interface PinnedSample {
  /** Row in the source dataset: the same example in every run on this dataset. */
  datasetIndex: number;
  dataset: string;
  label: number;
  thumbnail: PixelImage;
}

export interface InspectSnapshot {
  runId: string;
  /** 0: the initial weights, before the first epoch. */
  epoch: number;
  datasetIndex: number;
  label: number;
  predicted: number;
  probabilities: number[];
  cam: { layer: string; method: string; classIndex: number; shape: [number, number]; data: number[] } | null;
  featureMaps: { layer: string; shape: number[]; data: number[]; min: number; max: number } | null;
}

export interface SnapshotsReply {
  runId: string;
  pinned: PinnedSample[];
  snapshots: InspectSnapshot[];
}

export interface InspectResponses {
  'inspect.runs': InspectRunInfo[];
  'inspect.layers': InspectLayersReply;
  'inspect.samples': SamplesReply;
  'inspect.featureMaps': FeatureMapsReply;
  'inspect.filters': FiltersReply;
  'inspect.cam': CamReply;
  'inspect.audit': AuditReply;
  'inspect.sanity': SanityReply;
  'inspect.pin': { pinned: PinnedSample[] };
  'inspect.snapshots': SnapshotsReply;
}

export interface InspectEvents {
  'inspect.snapshot': InspectSnapshot;
}

