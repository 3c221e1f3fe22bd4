// Model export: TF.js files, ONNX (opset 13) and a tf.keras script, each checked after writing.
export { exportModel, EXPORT_FORMATS, type ExportFormat, type ExportOptions, type ExportResult, type ExportCheck } from './export';
export { toOnnxModel, exportOnnxBytes, ExportError, ONNX_OPSET } from './onnx';
export { kerasScript } from './keras-script';
export { modelCard } from './model-card';
export { loadOnnxRuntime, runOnnx } from './onnx-runtime';
