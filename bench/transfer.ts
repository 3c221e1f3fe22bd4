// The transfer-learning bench: on a small generated shapes set (a few hundred images, six
// classes), a frozen pretrained backbone with a new head against the same training budget from
// scratch. Two backbones: MobileNetV2 with ImageNet weights (built in) and a LeNet-5 pretrained
// on MNIST digits here (the on-disk / in-session path), each against the same architecture
// trained from random weights, plus LeNet-5 from scratch as a plain small-CNN baseline.
import type { TrainingSettings } from '../common/ipc/contract';
import { adaptTemplate, getTemplate } from '../common/model/templates';
import { useBackend, type ConcreteBackend } from '../engine/backends';
import { loadMnist } from '../engine/datasets/builtin';
import { prepareData } from '../engine/datasets/prepare';
import { buildModel, compileModel } from '../compute/model-builder';
import { evaluateClassifier, TrainingRun } from '../compute/training-loop';
import { backboneFromModel, loadMobileNet } from '../engine/transfer/backbones';
import { generateShapes } from '../engine/transfer/shapes';
import { transferLearn } from '../engine/transfer/transfer';
import type { Dataset } from '../engine/datasets/dataset';

export interface TransferBenchRow {
  setup: string;
  backbone: string;
  trainableParams: number;
  frozenParams: number;
  epochs: number;
  valAccuracy: number | null;
  testAccuracy: number | null;
  seconds: number;
  featureSeconds: number;
}

export interface TransferBenchReport {
  backend: string;
  images: number;
  classes: number;
  split: string;
  rows: TransferBenchRow[];
}

export interface TransferBenchOptions {
  /** Images per class (default 50: 300 images). */
  perClass?: number;
  epochs?: number;
  backend?: ConcreteBackend;
  /**
   * Also train MobileNetV2 blocks 0–10 from scratch (default false: wasm has no gradient for
   * depthwise convolutions, and on the cpu backend it takes many minutes).
   */
  mobileNetScratch?: boolean;
  log?: (line: string) => void;
}

const SETTINGS = { batchSize: 16, learningRate: 0.001, optimizer: 'adam', validationSplit: 0.2, testSplit: 0.2, seed: 1 } as const;

/** A template trained from scratch on `dataset` (its preprocessing), with the usual trainer. */
async function fromScratch(template: string, dataset: Dataset, epochs: number): Promise<{ model: Awaited<ReturnType<typeof buildModel>>; valAccuracy: number | null; testAccuracy: number | null; seconds: number; params: number; metadata: { preprocessing: ReturnType<typeof prepareData>['preprocessing'] } }> {
  const started = performance.now();
  const prepared = prepareData(dataset, SETTINGS.validationSplit, SETTINGS.testSplit, SETTINGS.seed);
  const topology = adaptTemplate(getTemplate(template), { inputShape: dataset.inputShape, task: 'classification', outputs: dataset.classes.length });
  const model = await buildModel(topology, SETTINGS.seed);
  compileModel(model, 'classification', SETTINGS.optimizer, SETTINGS.learningRate);
  const run = new TrainingRun(model, prepared.train, prepared.validation, {
    runId: template,
    epochs,
    batchSize: SETTINGS.batchSize,
    seed: SETTINGS.seed,
    task: 'classification',
    classes: dataset.classes,
    inputShape: dataset.inputShape,
    batchEventIntervalMs: 1e9,
    onEvent: () => undefined,
  });
  const { history } = await run.run();
  const test = prepared.test.count ? (await evaluateClassifier(model, prepared.test, dataset.inputShape, dataset.classes)).accuracy : null;
  return { model, valAccuracy: history[history.length - 1]?.valAccuracy ?? null, testAccuracy: test, seconds: (performance.now() - started) / 1000, params: model.countParams(), metadata: { preprocessing: prepared.preprocessing } };
}

export async function runTransferBench(options: TransferBenchOptions = {}): Promise<TransferBenchReport> {
  const log = options.log ?? (() => undefined);
  const perClass = options.perClass ?? 50;
  const epochs = options.epochs ?? 10;
  const backend = await useBackend(options.backend ?? 'wasm');
  const settings: Pick<TrainingSettings, 'epochs' | 'batchSize' | 'learningRate' | 'optimizer' | 'validationSplit' | 'testSplit' | 'seed'> = { ...SETTINGS, epochs };
  const rows: TransferBenchRow[] = [];
  const rgb = generateShapes({ perClass, size: 32, channels: 3, seed: 7 });
  const gray = generateShapes({ perClass, size: 28, channels: 1, seed: 7 });

  log(`transfer: MobileNetV2 (ImageNet), frozen, on ${rgb.count} shapes`);
  const mobile = await loadMobileNet();
  const a = await transferLearn({ backbone: mobile, unfreeze: 0, headUnits: 64, dataset: rgb, settings, compareFromScratch: !!options.mobileNetScratch });
  rows.push({ setup: 'frozen backbone + new head', backbone: 'MobileNetV2 (ImageNet) to block_10_expand_relu, 96×96, head 64', trainableParams: a.transfer.trainableParams, frozenParams: a.transfer.frozenParams, epochs, valAccuracy: a.transfer.valAccuracy, testAccuracy: a.transfer.testAccuracy, seconds: a.transfer.seconds, featureSeconds: a.transfer.featureSeconds });
  if (a.baseline) rows.push({ setup: 'same architecture from scratch', backbone: 'MobileNetV2 blocks 0–10, random weights', trainableParams: a.baseline.trainableParams, frozenParams: 0, epochs, valAccuracy: a.baseline.valAccuracy, testAccuracy: a.baseline.testAccuracy, seconds: a.baseline.seconds, featureSeconds: 0 });
  a.model.dispose();

  log('transfer: LeNet-5 from scratch on 32×32 RGB shapes');
  const plain = await fromScratch('lenet5', rgb, epochs);
  rows.push({ setup: 'small CNN from scratch', backbone: 'LeNet-5, random weights (32×32 RGB)', trainableParams: plain.params, frozenParams: 0, epochs, valAccuracy: plain.valAccuracy, testAccuracy: plain.testAccuracy, seconds: plain.seconds, featureSeconds: 0 });
  plain.model.dispose();

  log('transfer: LeNet-5 pretrained on MNIST (2 epochs), then frozen on 28×28 grayscale shapes');
  const mnist = loadMnist();
  const pre = await fromScratch('lenet5', mnist, 2);
  log(`transfer: LeNet-5 on MNIST: test accuracy ${pre.testAccuracy?.toFixed(3)} (${pre.seconds.toFixed(1)} s)`);
  const lenet = await backboneFromModel(pre.model, { formatVersion: 1, task: 'classification', classes: mnist.classes, inputShape: mnist.inputShape, preprocessing: pre.metadata.preprocessing, dataset: 'mnist' }, 'lenet5-mnist');
  const b = await transferLearn({ backbone: lenet, unfreeze: 0, headUnits: 64, dataset: gray, settings, compareFromScratch: true });
  rows.push({ setup: 'frozen backbone + new head', backbone: `LeNet-5 (MNIST) to ${lenet.info.defaultCut}, head 64`, trainableParams: b.transfer.trainableParams, frozenParams: b.transfer.frozenParams, epochs, valAccuracy: b.transfer.valAccuracy, testAccuracy: b.transfer.testAccuracy, seconds: b.transfer.seconds, featureSeconds: b.transfer.featureSeconds });
  if (b.baseline) rows.push({ setup: 'same architecture from scratch', backbone: 'LeNet-5 + head, random weights (28×28)', trainableParams: b.baseline.trainableParams, frozenParams: 0, epochs, valAccuracy: b.baseline.valAccuracy, testAccuracy: b.baseline.testAccuracy, seconds: b.baseline.seconds, featureSeconds: 0 });
  b.model.dispose();
  pre.model.dispose();
  return { backend: `${backend.name} (${backend.device})`, images: rgb.count, classes: rgb.classes.length, split: '60/20/20 stratified, seed 1', rows };
}

const pct = (v: number | null) => (v === null ? '—' : `${(v * 100).toFixed(1)}%`);

export function formatTransferBench(r: TransferBenchReport): string {
  const head = `${r.images} generated shape images, ${r.classes} classes, split ${r.split}; backend ${r.backend}; same epochs, batch 16, Adam 1e-3 for every row\n\n`;
  const lines = [
    '| setup | model | trainable | frozen | epochs | val acc | test acc | seconds (features) |',
    '|---|---|---:|---:|---:|---:|---:|---:|',
    ...r.rows.map((x) => `| ${x.setup} | ${x.backbone} | ${x.trainableParams.toLocaleString('en-US')} | ${x.frozenParams.toLocaleString('en-US')} | ${x.epochs} | ${pct(x.valAccuracy)} | ${pct(x.testAccuracy)} | ${x.seconds.toFixed(1)}${x.featureSeconds ? ` (${x.featureSeconds.toFixed(1)})` : ''} |`),
  ];
  return head + lines.join('\n');
}
