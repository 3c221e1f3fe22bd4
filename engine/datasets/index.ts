// The dataset importer's public surface, in one place.
export * from './dataset';
export { parseCsv, parseCsvRecords, tableDataset, detectTask, analyzeTable, type ParsedTable, type TableOptions, type ColumnAnalysis } from './csv';
export { loadImageFolder, decodeImageBytes, IMAGE_EXTENSIONS, type ImageFolderOptions, type ImageFolderResult } from './image-folder';
export { userCacheDir } from './image-cache';
export { decodeBmp, isBmp } from './bmp';
export { loadDataset, importDataset, resolveRef, type LoadOptions } from './load';
export { splitIndices, checkSplit, type SplitIndices } from './split';
export {
  prepareData,
  prepareDataWithSplit,
  applyPreprocessing,
  fitTablePreprocessing,
  encodeRawRow,
  encodeRawRows,
  preprocessRawRows,
  datasetInputs,
  type PreparedData,
  type PrepareOptions,
} from './prepare';
export type { Examples } from '../../compute/examples';
export { augmentBatch, hasAugmentation, type AugmentOptions } from '../../compute/augment';
export { inspectDataset, type DatasetInspection, type DatasetProblem, type ColumnSummary, type ColumnStats, type SampleImage, type InspectOptions } from './inspect';
export { loadIris, loadMnist, BUILTIN_DATASETS, assetsDir } from './builtin';
