// export.model: writes a trained run as TF.js files, ONNX or a tf.keras script, then checks the
// written file on the run's validation split (largest difference from the in-app predictions).
import path from 'node:path';
import { ContractError } from '../../common/ipc/contract';
import type { Handlers } from '../../common/ipc/router';
import type { Engine } from '../engine';
import { exportModel } from '../export/export';
import { projectsDir } from '../project/project-store';

/** At most this many validation examples go through the check. */
const CHECK_EXAMPLES = 512;

export function exportsDir(): string {
  return path.join(projectsDir(), 'exports');
}

export function exportHandlers(engine: Engine): Pick<Handlers, 'export.model'> {
  return {
    'export.model': async ({ runId, format, dir }) => {
      const r = engine.getRun(runId);
      if (r.state === 'training') await r.done;
      if (r.state === 'failed') throw new ContractError('bad-input', `Run ${runId} failed; there is no trained model to export.`);
      const outDir = path.resolve(exportsDir(), dir);
      const v = r.prepared.validation.count > 0 ? r.prepared.validation : r.prepared.test;
      const count = Math.min(v.count, CHECK_EXAMPLES);
      const size = r.metadata.inputShape.reduce((a, b) => a * b, 1);
      const validation = count > 0 ? { x: v.x.subarray(0, count * size), count } : undefined;
      try {
        const result = await engine.exclusive(() => exportModel({ model: r.model, metadata: r.metadata, format, outDir, validation, history: r.history, test: r.test }));
        return { format: result.format, outDir: result.outDir, files: result.files, check: result.check };
      } catch (e) {
        const err = e as { code?: string; message?: string };
        if (err?.code === 'bad-input' || (e as Error)?.name === 'ExportError') throw new ContractError('bad-input', String(err.message));
        throw new ContractError('internal', e instanceof Error ? e.message : String(e));
      }
    },
  };
}
