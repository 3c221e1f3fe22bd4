// The inspector's engine API, in one place for the contract, the engine host and the CLI.
export { InspectError, defaultTargetLayer, listLayers, splitModel, layersAfter, getLayer, type LayerInfo, type SplitModel } from './split-model';
export { featureMaps, filters, modelInputShape, type FeatureMaps, type Filters } from './feature-maps';
export { BaseCam, type CamResult, type CamOptions, type CamContext } from './cam/base-cam';
export { CAM_METHODS, computeCam, getCamMethod, listCamMethods, type ComputeCamRequest } from './cam/registry';
export { upsampleCam, colormap, overlayRgb, colouredRgb, toRgb, rgbToPng, camOverlayPng, featureMapPngs, type ColormapName, type OverlayOptions } from './render';
export { modelRandomisationTest, compare, type RandomisationReport, type RandomisationRequest, type RandomisationStep, type Similarity } from './model-randomisation';
export { shortcutAudit, type AuditReport, type AuditRequest, type AuditImage, type ClassAudit, type AuditMetric } from './shortcut-audit';
export { watermarkDataset, watermarkBox, WATERMARK_DATASET_INFO, WATERMARK_CLASSES, type WatermarkOptions } from '../datasets/watermark';
export { imageInputForModel, imagePreprocessingFor, type ModelImage } from './image-input-for-model';
export { pearson, spearman, ssim } from './similarity';
