// Bring your own model: PyTorch (.onnx), Keras 3 (.keras) and Keras 2 (.h5) as Glasswing models.
export { importModel, loadAnyModel, importSourceOf, refuseOtherFormats, type ImportOptions, type ImportResult, type ImportSource, type AnyLoadedModel } from './import-model';
export { ReadOnlyModel, type ReadOnlyValue } from './read-only-model';
export { PREPROCESS_PRESETS, presetPreprocessing, readClassesFile, type PreprocessPreset } from './preprocessing';
export { summarizeLayersModel } from './summary';
export { CONVERTED_OPS } from './onnx-to-keras';
export { ModelImportError, UnsupportedModelError, type UnsupportedItem } from './errors';
export type { ImportCheck } from './check';
