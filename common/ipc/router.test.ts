import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Router, type Handlers } from './router';
import { REQUEST_CHANNELS } from './contract';

function fakeHandlers(calls: string[]): Handlers {
  return Object.fromEntries(
    REQUEST_CHANNELS.map((c) => [
      c,
      async (p: unknown) => {
        calls.push(c);
        if (c === 'training.stop') throw Object.assign(new Error('There is no training run "x".'), { code: 'not-found' });
        if (c === 'datasets.list') throw new Error('disk on fire');
        return { echo: p };
      },
    ]),
  ) as unknown as Handlers;
}

const trusted = { origin: 'http://127.0.0.1:5000' };
const router = (calls: string[] = []) => new Router(fakeHandlers(calls), { isTrustedSender: (s) => s.origin === trusted.origin });

test('an unknown channel is refused with a typed error and reaches no handler', async () => {
  const calls: string[] = [];
  const reply = await router(calls).handle('fs.deleteEverything', {}, trusted);
  assert.deepEqual(reply, { ok: false, error: { code: 'unknown-channel', message: 'Unknown channel "fs.deleteEverything".' } });
  assert.deepEqual(calls, []);
});

test('inherited object keys are not channels', async () => {
  for (const name of ['toString', '__proto__', 'constructor', 'hasOwnProperty']) {
    const reply = await router().handle(name, {}, trusted);
    assert.equal(reply.ok ? 'ok' : reply.error.code, 'unknown-channel', name);
  }
});

test('malformed payloads are refused before the handler runs', async () => {
  const calls: string[] = [];
  const r = router(calls);
  const cases: [string, unknown][] = [
    ['training.start', { model: { template: 'iris-mlp' }, dataset: 'iris', settings: { epochs: -1 } }],
    ['training.start', { model: { template: 'iris-mlp' }, dataset: 'iris' }],
    ['training.pause', { runId: 42 }],
    ['training.pause', { runId: 'a', extra: true }],
    ['model.summary', { model: { topology: { class_name: 'Sequential' } } }],
    ['app.info', null],
    ['app.info', 'hello'],
  ];
  for (const [channel, payload] of cases) {
    const reply = await r.handle(channel, payload, trusted);
    assert.equal(reply.ok, false, `${channel} ${JSON.stringify(payload)}`);
    if (!reply.ok) {
      assert.equal(reply.error.code, 'invalid-payload');
      assert.match(reply.error.message, new RegExp(`^Malformed payload for ${channel.replace('.', '\\.')}`));
    }
  }
  assert.deepEqual(calls, []);
});

test('a foreign sender is refused', async () => {
  const calls: string[] = [];
  const reply = await router(calls).handle('app.info', {}, { origin: 'https://evil.example' });
  assert.equal(!reply.ok && reply.error.code, 'forbidden-sender');
  assert.deepEqual(calls, []);
});

test('valid requests reach their handler; handler errors come back typed', async () => {
  const r = router();
  assert.deepEqual(await r.handle('training.pause', { runId: 'run-1' }, trusted), { ok: true, value: { echo: { runId: 'run-1' } } });
  assert.deepEqual(await r.handle('training.stop', { runId: 'x' }, trusted), { ok: false, error: { code: 'not-found', message: 'There is no training run "x".' } });
  assert.deepEqual(await r.handle('datasets.list', {}, trusted), { ok: false, error: { code: 'internal', message: 'disk on fire' } });
});

test('a payload nested thousands of levels deep is refused before it reaches the handler (or the engine process)', async () => {
  const calls: string[] = [];
  let deep: unknown = {};
  for (let i = 0; i < 100_000; i++) deep = { a: deep };
  let deepArray: unknown = [];
  for (let i = 0; i < 2_000; i++) deepArray = [deepArray];
  for (const nested of [deep, deepArray]) {
    const reply = await router(calls).handle('model.summary', { model: { topology: { class_name: 'Sequential', config: nested } } }, trusted);
    assert.deepEqual(reply, { ok: false, error: { code: 'invalid-payload', message: 'Malformed payload for model.summary: it nests more than 200 levels deep.' } });
  }
  assert.deepEqual(calls, []);
  // 150 levels is within bounds: it reaches the schema (and, valid, the handler).
  let fine: unknown = 1;
  for (let i = 0; i < 150; i++) fine = { a: fine };
  const reply = await router(calls).handle('model.summary', { model: { topology: { class_name: 'Sequential', config: fine } } }, trusted);
  assert.ok(reply.ok || !/nests more than/.test(reply.error.message));
});
