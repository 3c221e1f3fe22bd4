// Channel names of the tuning domain, without schemas (the preload bundle imports these).
// Tuning (hyperparameter search), export of a trained run, and transfer learning.
export const TUNING_REQUESTS = [
  'tuning.start',
  'tuning.stop',
  'tuning.list',
  'tuning.open',
  'export.model',
  'transfer.backbones',
  'transfer.start',
  'transfer.stop',
] as const;
export const TUNING_EVENTS = ['tuning.trial', 'tuning.epoch', 'tuning.finished', 'transfer.event'] as const;
export const TUNING_METRICS = ['valLoss', 'valAccuracy'] as const;
export const EXPORT_FORMAT_NAMES = ['tfjs', 'onnx', 'keras-script'] as const;
