// The export domain: writes a trained run as TF.js files, ONNX or a tf.keras script where the host
// lets the engine write (a relative folder lands in the Glasswing folder's exports/), never over a
// folder of other files unless the person confirmed it, then checks the written file on the run's
// validation split (largest difference from the in-app predictions).
import type { Handlers } from '../../common/ipc/router';
import { BadInputError } from '../../common/bad-input';
import { exportModel } from '../export/export';
import { exampleInputs } from '../../compute/examples';
import { isModelFolder } from '../model-io';
import type { EngineContext } from '../core/context';
import { FileAccessError } from '../files/places';

/** At most this many validation examples go through the check. */
const CHECK_EXAMPLES = 512;

export function exportHandlers(ctx: EngineContext): Pick<Handlers, 'export.model'> {
  return {
    'export.model': async ({ runId, format, dir, overwrite }) => {
      const r = await ctx.runs.ended(runId);
      if (r.state === 'failed' && !r.hasModel) throw new BadInputError(`${r.info.name} failed; there is no trained model to export.`);
      const outDir = ctx.places.writable(dir, ctx.places.exports);
      const store = ctx.places.engineStoreAt(outDir);
      if (store) throw new FileAccessError(`${outDir} is ${store}; export into a folder of its own (by default one in ${ctx.places.exports}).`);
      await ctx.places.claimFolder(outDir, isModelFolder, overwrite ?? false);
      const v = r.prepared.validation.count > 0 ? r.prepared.validation : r.prepared.test;
      const count = Math.min(v.count, CHECK_EXAMPLES);
      const size = r.metadata.inputShape.reduce((a, b) => a * b, 1);
      const validation = count > 0 ? { x: exampleInputs(v, 0, count, size), count } : undefined;
      const result = await ctx.scheduler.exclusive(() =>
        exportModel({ model: r.model, metadata: r.metadata, format, outDir, validation, settings: r.settings, history: r.history, test: r.test, regression: r.regression }),
      );
      return { format: result.format, outDir: result.outDir, files: result.files, check: result.check };
    },
  };
}
