import { tf, useBackend } from '../engine/backends';
import { benchModel } from '../engine/bench/models';
void (async () => {
  await useBackend('wasm');
  const spec = benchModel(process.env.M ?? 'residual-cnn');
  const m = await spec.build();
  m.compile({ optimizer: tf.train.adam(1e-3), loss: 'categoricalCrossentropy' });
  const x = tf.randomUniform([32, ...spec.inputShape]);
  const y = tf.oneHot(tf.randomUniform([32], 0, spec.classes, 'int32'), spec.classes);
  await m.trainOnBatch(x, y);
  const eng = tf.engine() as unknown as { runKernel: (...a: unknown[]) => unknown };
  const orig = eng.runKernel.bind(eng);
  const counts = new Map<string, number>();
  const want = (process.env.K ?? 'Identity,Reshape,Cast').split(',');
  eng.runKernel = (name: unknown, ...rest: unknown[]) => {
    if (want.includes(name as string)) {
      const st = (new Error().stack ?? '').split('\n').slice(2, 7).map((l) => l.trim().replace(/\(.*node_modules\//, '(').replace(/:\d+\)$/, ')')).join(' < ');
      const key = `${name}: ${st}`;
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    return orig(name, ...rest);
  };
  await m.trainOnBatch(x, y);
  for (const [k, n] of [...counts].sort((a, b) => b[1] - a[1])) console.log(n, k.slice(0, 400));
})();
