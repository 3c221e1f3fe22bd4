// glasswing gradcam: where in an image the model found the evidence for a class.
import path from 'node:path';
import { parseCommand, helpText, type CommandSpec, type Options } from '../args';
import { CliError } from '../cli-error';
import { CAM_METHODS, computeCam } from '../../engine/inspect/cam/registry';
import { camOverlayPng, type ColormapName } from '../../engine/inspect/render';
import { isJsonPath, loadInspectable, positiveInt, writeOut } from './inspect-shared';
import { IMPORT_HELP, IMPORT_OPTIONS } from './import-flags';

const spec = {
  name: 'gradcam',
  usage: `--model PATH --image FILE [--layer NAME] [--class K] [--method ${Object.keys(CAM_METHODS).join('|')}]\n       [--out FILE.json | FILE.png] [--colormap jet|turbo] [--alpha A] [--zoom N]`,
  description:
    'A class activation map: which parts of the image raised the class\'s score (before softmax), at a\n' +
    'convolutional layer\'s resolution, ReLU\'d and scaled so its maximum is 1.\n' +
    '  --model PATH      a model folder or its model.json\n' +
    '  --image FILE      any image sharp reads; resized and preprocessed as the model was trained\n' +
    '  --layer NAME      the target layer (default: the last layer with a height × width × channels output)\n' +
    '  --class K         class name or index (a name wins; default: the predicted class)\n' +
    `  --method M        ${Object.values(CAM_METHODS).map((m) => `${m.name} (${m.label})`).join(', ')}; default gradcam\n` +
    '  --out FILE.json   write {"layer","method","classIndex","score","shape":[h,w],"cam":[…]}; without --out it is printed\n' +
    '  --out FILE.png    write the map as a heat map over the image, at the model input\'s resolution\n' +
    '  --colormap C      jet (default) or turbo, for PNGs\n' +
    '  --alpha A         heat-map weight in the PNG blend, 0–1 (default 0.5)\n' +
    '  --zoom N          enlarge the PNG N times (default 1)\n' +
    IMPORT_HELP,
  options: {
    model: { type: 'string' },
    image: { type: 'string' },
    layer: { type: 'string' },
    class: { type: 'string' },
    method: { type: 'string' },
    out: { type: 'string' },
    colormap: { type: 'string' },
    alpha: { type: 'string' },
    zoom: { type: 'string' },
    ...IMPORT_OPTIONS,
  },
} as const satisfies CommandSpec<Options>;

export async function runGradCam(argv: string[]): Promise<number> {
  const flags = parseCommand(spec, argv);
  if (flags.help) {
    process.stdout.write(helpText(spec));
    return 0;
  }
  if (!flags.model) throw new CliError('gradcam: --model is required (see `glasswing gradcam --help`).');
  if (!flags.image) throw new CliError('gradcam: --image is required (see `glasswing gradcam --help`).');
  const method = flags.method ?? 'gradcam';
  if (!CAM_METHODS[method]) throw new CliError(`Unknown --method "${method}". Methods: ${Object.keys(CAM_METHODS).join(', ')}.`);
  const out = flags.out;
  const png = !!out && path.extname(out).toLowerCase() === '.png';
  if (out && !png && !isJsonPath(out)) throw new CliError(`--out must end in .json or .png; got "${out}".`);
  const colormap = (flags.colormap ?? 'jet') as ColormapName;
  if (!['jet', 'turbo'].includes(colormap)) throw new CliError(`--colormap must be jet or turbo; got "${flags.colormap}".`);
  const alpha = flags.alpha === undefined ? 0.5 : Number(flags.alpha);
  if (!Number.isFinite(alpha) || alpha < 0 || alpha > 1) throw new CliError(`--alpha must be a number from 0 to 1; got "${flags.alpha}".`);
  const zoom = positiveInt(flags.zoom, 'zoom', 1);

  const { model, metadata, image } = await loadInspectable(flags.model, flags.image, flags);
  let classIndex: number | undefined;
  if (flags.class !== undefined) {
    const classes = metadata?.classes ?? [];
    const byName = classes.indexOf(flags.class);
    const outputs = (model.outputs[0]!.shape.at(-1) as number | null) ?? classes.length;
    if (byName >= 0) classIndex = byName;
    else if (/^\d+$/.test(flags.class) && Number(flags.class) < outputs) classIndex = Number(flags.class);
    else {
      throw new CliError(
        `--class "${flags.class}" is not a class of this model: ${classes.length ? classes.map((c, i) => `${i} (${c})`).join(', ') : `0–${outputs - 1}`}.`,
      );
    }
  }
  const r = computeCam({ model, input: image.input, layer: flags.layer, classIndex, method });
  const className = metadata?.classes?.[r.classIndex];
  const what = `${CAM_METHODS[method]!.label} of class ${r.classIndex}${className !== undefined && className !== String(r.classIndex) ? ` (${className})` : ''}, score ${r.score.toFixed(3)}, at layer ${r.layer} (${r.shape.join('×')})`;
  if (png) {
    await writeOut(out!, await camOverlayPng(image.image, r.cam, r.shape, { colormap, alpha, zoom }));
    process.stdout.write(`Wrote ${out}: ${what}.\n`);
    return 0;
  }
  const json = JSON.stringify({ layer: r.layer, method: r.method, classIndex: r.classIndex, score: r.score, shape: r.shape, cam: Array.from(r.cam) });
  if (!out) {
    process.stdout.write(json + '\n');
    return 0;
  }
  await writeOut(out, json + '\n');
  process.stdout.write(`Wrote ${out}: ${what}.\n`);
  return 0;
}
