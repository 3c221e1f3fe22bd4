// glasswing featuremaps: one layer's output (after its activation) for one image.
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { parseCommand, helpText, type CommandSpec, type Options } from '../args';
import { CliError } from '../cli-error';
import { featureMaps } from '../../engine/inspect/feature-maps';
import { featureMapPngs } from '../../engine/inspect/render';
import { describeLayers, isJsonPath, loadInspectable, positiveInt, writeOut } from './inspect-shared';
import { IMPORT_HELP, IMPORT_OPTIONS } from './import-flags';

const spec = {
  name: 'featuremaps',
  usage: '--model PATH --image FILE --layer NAME [--out FILE.json | DIR] [--zoom N]',
  description:
    "Runs one image through a saved model (with the model's own preprocessing) and reports a layer's output\n" +
    'after its activation: the feature maps.\n' +
    '  --model PATH     a model folder or its model.json\n' +
    '  --image FILE     any image sharp reads (PNG, JPEG, WebP, GIF, …); resized to the model input\n' +
    '  --layer NAME     the layer; inside a nested model "outer/inner" or the inner name\n' +
    '  --out FILE.json  write {"layer","shape":[h,w,c],"data":[…]} (NHWC row-major); without --out it is printed\n' +
    '  --out DIR        write one grayscale PNG per channel (channel-000.png, …), all on the layer\'s shared scale\n' +
    '  --zoom N         enlarge the PNGs N times (nearest neighbour; default 1)\n' +
    IMPORT_HELP,
  options: { model: { type: 'string' }, image: { type: 'string' }, layer: { type: 'string' }, out: { type: 'string' }, zoom: { type: 'string' }, ...IMPORT_OPTIONS },
} as const satisfies CommandSpec<Options>;

export async function runFeatureMaps(argv: string[]): Promise<number> {
  const flags = parseCommand(spec, argv);
  if (flags.help) {
    process.stdout.write(helpText(spec));
    return 0;
  }
  if (!flags.model) throw new CliError('featuremaps: --model is required (see `glasswing featuremaps --help`).');
  if (!flags.image) throw new CliError('featuremaps: --image is required (see `glasswing featuremaps --help`).');
  const zoom = positiveInt(flags.zoom, 'zoom', 1);
  if (flags.out && path.extname(flags.out) && !isJsonPath(flags.out)) {
    throw new CliError(`--out must be a .json file or a folder; got "${flags.out}".`);
  }
  const { model, image } = await loadInspectable(flags.model, flags.image, flags);
  if (!flags.layer) throw new CliError(`featuremaps: --layer is required. Layers: ${describeLayers(model)}.`);
  const fm = featureMaps(model, image.input, flags.layer);
  const json = () => JSON.stringify({ layer: fm.layer, shape: fm.shape, data: Array.from(fm.data) });
  if (!flags.out) {
    process.stdout.write(json() + '\n');
    return 0;
  }
  if (isJsonPath(flags.out)) {
    await writeOut(flags.out, json() + '\n');
    process.stdout.write(`Wrote ${flags.out}: layer ${fm.layer}, ${fm.shape.join('×')}.\n`);
    return 0;
  }
  if (fm.shape.length !== 3) {
    throw new CliError(`Layer ${fm.layer} outputs [${fm.shape.join(', ')}], not one image per channel; use --out FILE.json. Layers with maps: ${describeLayers(model, (s) => s)}.`);
  }
  const pngs = await featureMapPngs(fm.shape, fm.data, { zoom });
  await mkdir(flags.out, { recursive: true }).catch((e: Error) => {
    throw new CliError(`Cannot create ${flags.out}: ${e.message.split('\n')[0]}`, 1);
  });
  const digits = Math.max(3, String(pngs.length - 1).length);
  for (let k = 0; k < pngs.length; k++) await writeOut(path.join(flags.out, `channel-${String(k).padStart(digits, '0')}.png`), pngs[k]!);
  process.stdout.write(`Wrote ${pngs.length} PNGs (${fm.shape[0]}×${fm.shape[1]}) of layer ${fm.layer} to ${flags.out}.\n`);
  return 0;
}
