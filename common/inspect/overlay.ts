// The class-activation overlay, shared by the CLI's PNGs and the inspector's canvases: a heat map
// (values in [0, 1], already at the picture's size) coloured and blended over an RGB picture, as
// pytorch-grad-cam's show_cam_on_image does.
import { colormap, type ColormapName } from './colormap';

/**
 * RGB bytes of `heat` coloured with `name` and blended over `base` (RGB bytes, same number of
 * pixels; black when null): alpha × heat colour + (1 − alpha) × picture.
 */
export function blendHeat(base: Uint8Array | null, heat: ArrayLike<number>, alpha: number, name: ColormapName = 'jet'): Uint8Array {
  const out = new Uint8Array(heat.length * 3);
  for (let p = 0; p < heat.length; p++) {
    const c = colormap(heat[p]!, name);
    for (let ch = 0; ch < 3; ch++) out[p * 3 + ch] = Math.round(alpha * c[ch]! + (1 - alpha) * (base ? base[p * 3 + ch]! : 0));
  }
  return out;
}
