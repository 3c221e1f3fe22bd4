// One colour per layer category, shared by the palette and the canvas nodes.
import type { LayerCategory } from '../../../common/model/layer-registry';

export const CATEGORY_COLORS: Record<LayerCategory, string> = {
  Input: '#64748b',
  Core: '#4f46e5',
  Convolution: '#0891b2',
  Pooling: '#0d9488',
  Reshaping: '#a16207',
  Normalization: '#7c3aed',
  Regularization: '#db2777',
  Activation: '#ea580c',
  Recurrent: '#16a34a',
  Merge: '#475569',
};
