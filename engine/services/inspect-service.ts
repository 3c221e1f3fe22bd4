// The inspect domain: the inspector engine (engine/inspect) applied to the runs the engine knows,
// in JSON-friendly replies.
//
// Live pinning observes the engine's training events (bus.observe): each 'started' and 'epoch'
// event first records snapshots of the pinned examples (training waits for them, between epochs)
// and is then sent on unchanged.
import type { Handlers } from '../../common/ipc/router';
import type { AuditReply, FeatureMapsReply, InspectLayer, InspectRunInfo, RunInfo, SamplePrediction, TrainingEvent } from '../../common/ipc/contract';
import { BadInputError } from '../../common/bad-input';
import type { RunRecord } from '../core/run-record';
import type { EngineContext } from '../core/context';
import type { EventBus } from '../core/event-bus';
import { computeCam, defaultTargetLayer, featureMaps, filters, getCamMethod, listCamMethods, listLayers, modelRandomisationTest, shortcutAudit } from '../inspect';
import {
  argmaxOf,
  exampleSize,
  galleryItem,
  isImageRun,
  plain,
  predictProbabilities,
  range,
  resolveSample,
  splitOf,
  testPredictions,
  datasetImage,
  gatherSplit,
  type ResolvedSample,
} from './inspect-data';
import { SnapshotRecorder } from './inspect-snapshots';

export type InspectHandlers = Pick<
  Handlers,
  'inspect.runs' | 'inspect.layers' | 'inspect.samples' | 'inspect.featureMaps' | 'inspect.filters' | 'inspect.cam' | 'inspect.audit' | 'inspect.sanity' | 'inspect.pin' | 'inspect.snapshots'
>;

/** Whether a listed run takes images (so maps, CAMs and the gallery apply). */
function isImageInfo(info: RunInfo): boolean {
  const s = info.inputShape;
  return info.dataset.kind === 'images' && s.length === 3 && (s[2] === 1 || s[2] === 3);
}

function channelsOf(shape: number[] | null): number {
  return shape && shape.length ? Math.max(0, shape[shape.length - 1]!) : 0;
}

/** The run's classification predictions for one input. */
function predictOne(run: RunRecord, sample: ResolvedSample): SamplePrediction {
  const probs = predictProbabilities(run, sample.input, 1);
  return { image: sample.image, label: sample.label, predicted: argmaxOf(probs, 0, probs.length), probabilities: plain(probs) };
}

function imageOnly(run: RunRecord, what: string): void {
  if (!isImageRun(run)) throw new BadInputError(`${what} needs a model trained on images; ${run.info.name} was trained on a table.`);
}

/** Each engine's snapshot recorder, by its event bus (tests read the time it spent). */
export const inspectRecorders = new WeakMap<EventBus, SnapshotRecorder>();

export function inspectHandlers(ctx: EngineContext): InspectHandlers {
  const recorder = new SnapshotRecorder(ctx.runs, ctx.bus);
  inspectRecorders.set(ctx.bus, recorder);
  ctx.bus.observe((event, payload) => {
    if (event === 'training.event') recorder.observe(payload as TrainingEvent);
  });
  const getRun = (runId: string) => ctx.runs.started(runId);

  return {
    'inspect.runs': async () => (await ctx.runs.list()).map((info): InspectRunInfo => ({ ...info, image: isImageInfo(info) })),

    'inspect.layers': async ({ runId }) => {
        const run = await getRun(runId);
        const layers: InspectLayer[] = listLayers(run.model).map((l) => ({ ...l, channels: channelsOf(l.outputShape) }));
        let defaultTarget: string | null = null;
        let noConvMessage: string | null = null;
        try {
          defaultTarget = defaultTargetLayer(run.model);
        } catch (e) {
          noConvMessage = (e as Error).message;
        }
        const firstConv = (layers.find((l) => l.hasFilters) ?? layers.find((l) => l.spatial))?.path ?? null;
        return { runId, layers, defaultTarget, noConvMessage, firstConv, camMethods: listCamMethods(), classes: run.metadata.classes, inputShape: run.metadata.inputShape, image: isImageRun(run) };
      },

    'inspect.samples': async ({ runId, filter = 'all', classIndex, sort = 'index', offset = 0, limit = 48 }) => {
        const run = await getRun(runId);
        if (run.metadata.task !== 'classification') throw new BadInputError('The gallery shows classification predictions; this run is a regression.');
        const test = run.prepared.test;
        const p = testPredictions(run);
        let wrong = 0;
        const chosen: number[] = [];
        for (let i = 0; i < test.count; i++) {
          const label = Math.round(test.y[i]!);
          const ok = p.predicted[i] === label;
          if (!ok) wrong++;
          if (filter === 'wrong' && ok) continue;
          if (filter === 'right' && !ok) continue;
          if (classIndex != null && label !== classIndex) continue;
          chosen.push(i);
        }
        if (sort === 'confidence-asc') chosen.sort((a, b) => p.confidence[a]! - p.confidence[b]! || a - b);
        if (sort === 'confidence-desc') chosen.sort((a, b) => p.confidence[b]! - p.confidence[a]! || a - b);
        return {
          runId,
          total: chosen.length,
          offset,
          items: chosen.slice(offset, offset + limit).map((i) => galleryItem(run, p, i)),
          counts: { all: test.count, wrong, right: test.count - wrong },
          classes: run.metadata.classes,
        };
      },

    'inspect.featureMaps': async ({ runId, sample, layer, offset = 0, limit }): Promise<FeatureMapsReply> => {
        const run = await getRun(runId);
        const s = await resolveSample(run, sample);
        const fm = featureMaps(run.model, s.input, layer);
        const info = listLayers(run.model).find((l) => l.path === fm.layer);
        const total = channelsOf(fm.shape);
        const spatial = fm.shape.length === 3;
        const count = Math.max(0, Math.min(limit ?? (spatial ? 64 : 1024), total - offset));
        let data: Float32Array;
        if (spatial && (offset > 0 || count < total)) {
          const [h, w, c] = fm.shape as [number, number, number];
          data = new Float32Array(h * w * count);
          for (let p = 0; p < h * w; p++) for (let k = 0; k < count; k++) data[p * count + k] = fm.data[p * c + offset + k]!;
        } else if (!spatial && fm.shape.length === 1) {
          data = fm.data.subarray(offset, offset + count);
        } else data = fm.data;
        return { layer: fm.layer, className: info?.className ?? '', shape: fm.shape, offset, count, total, data: plain(data), ...range(fm.data), sample: predictOne(run, s) };
      },

    'inspect.filters': async ({ runId, layer, offset = 0, limit = 64 }) => {
        const run = await getRun(runId);
        const f = filters(run.model, layer);
        const [kh, kw, cin, cout] = f.shape as [number, number, number, number];
        const count = Math.max(0, Math.min(limit, cout - offset));
        const data = new Float32Array(kh * kw * cin * count);
        for (let p = 0; p < kh * kw * cin; p++) for (let k = 0; k < count; k++) data[p * count + k] = f.data[p * cout + offset + k]!;
        return { layer: f.layer, shape: f.shape, offset, count, total: cout, data: plain(data), bias: f.bias ? plain(f.bias.subarray(offset, offset + count)) : null, ...range(f.data) };
      },

    'inspect.cam': async ({ runId, sample, layer, classIndex, method }) => {
        const run = await getRun(runId);
        imageOnly(run, 'A class activation map');
        const s = await resolveSample(run, sample);
        const heavy = method === 'scorecam';
        const compute = () => computeCam({ model: run.model, input: s.input, layer, classIndex, method });
        const r = heavy ? await ctx.scheduler.exclusive(async () => compute()) : compute();
        return { layer: r.layer, method: r.method, classIndex: r.classIndex, score: r.score, shape: r.shape, cam: plain(r.cam), sample: predictOne(run, s) };
      },

    'inspect.audit': async ({ runId, method, layer, top = 24 }) =>
        ctx.scheduler.exclusive(async (): Promise<AuditReply> => {
          const run = await getRun(runId);
          imageOnly(run, 'The shortcut audit');
          const parts = (['validation', 'test'] as const).map((split) => ({ split, ex: splitOf(run, split) })).filter((p) => p.ex.count > 0);
          const count = parts.reduce((a, p) => a + p.ex.count, 0);
          if (count === 0) throw new BadInputError('This run has no validation or test examples to audit; train with a validation or test split.');
          const size = exampleSize(run);
          const inputs = new Float32Array(count * size);
          const labels = new Float32Array(count);
          const where: { split: 'validation' | 'test'; index: number; datasetIndex: number }[] = [];
          for (const { split, ex } of parts) {
            inputs.set(gatherSplit(run, split), where.length * size);
            labels.set(ex.y.subarray(0, ex.count), where.length);
            for (let i = 0; i < ex.count; i++) where.push({ split, index: i, datasetIndex: ex.indices[i]! });
          }
          const report = shortcutAudit({ model: run.model, inputs, count, labels, classes: run.metadata.classes, method, layer });
          const best = report.ranked.slice(0, top);
          const topInputs = new Float32Array(best.length * size);
          best.forEach((im, i) => topInputs.set(inputs.subarray(im.index * size, (im.index + 1) * size), i * size));
          const cams = best.length ? getCamMethod(report.method).computeMany(run.model, topInputs, best.length, { layer: report.layer, classIndices: best.map((im) => im.classIndex) }) : [];
          return {
            layer: report.layer,
            method: report.method,
            shape: report.shape,
            inputSize: report.inputSize,
            count,
            uniform: report.uniform,
            ranked: best.map((im, i) => ({
              split: where[im.index]!.split,
              index: where[im.index]!.index,
              label: im.label,
              predicted: im.predicted,
              suspicion: im.suspicion,
              periphery: im.periphery,
              outsideCentre: im.outsideCentre,
              border: im.border,
              corners: im.corners,
              peak: im.peak,
              empty: im.empty,
              cam: plain(cams[i]!.cam),
              thumbnail: datasetImage(run, where[im.index]!.datasetIndex)!,
            })),
            classes: report.classes.map((c) => ({
              classIndex: c.classIndex,
              name: c.name,
              count: c.count,
              accuracy: c.accuracy,
              meanSuspicion: c.meanSuspicion,
              meanOutsideCentre: c.meanOutsideCentre,
              meanCorners: c.meanCorners,
              consistency: c.consistency,
              concentration: c.concentration,
              meanCam: plain(c.meanCam),
              peak: c.peak,
            })),
            warnings: report.warnings,
          };
        }),

    'inspect.sanity': async ({ runId, sample, layer, method, classIndex }) =>
        ctx.scheduler.exclusive(async () => {
          const run = await getRun(runId);
          imageOnly(run, 'The randomisation check');
          const s = await resolveSample(run, sample);
          const r = await modelRandomisationTest({ model: run.model, input: s.input, layer, method, classIndex });
          return {
            layer: r.layer,
            method: r.method,
            classIndex: r.classIndex,
            shape: r.shape,
            original: plain(r.original),
            steps: r.steps.map((st) => ({ layer: st.layer, spearman: st.spearman, pearson: st.pearson, ssim: st.ssim, cam: plain(st.cam) })),
            final: r.final,
            summary: r.summary,
          };
        }),

    'inspect.pin': async ({ runId, samples, rows }) => {
        const run = await getRun(runId);
        imageOnly(run, 'Pinning');
        return { pinned: recorder.pin(run, samples, rows) };
      },

    'inspect.snapshots': async ({ runId }) => {
        const run = await getRun(runId);
        return { runId, pinned: isImageRun(run) ? recorder.pinned(run) : [], snapshots: recorder.list(runId) };
      },
  };
}
