// A request that cannot be sent to the engine says why: the message (it could not be serialized)
// or the engine (it is not running), not "the engine crashed" for both.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EngineClient, type EngineTransport } from './engine-client';

function fakeTransport(send: () => void): EngineTransport {
  return { pid: 1, send, onMessage: () => undefined, onExit: () => undefined, kill: () => undefined };
}

test('a message that cannot be serialized is refused as invalid-payload; an engine that is gone is engine-crashed', async () => {
  const unserializable = new EngineClient(() => fakeTransport(() => { throw new RangeError('Maximum call stack size exceeded'); }), () => undefined);
  assert.deepEqual(await unserializable.invoke('app.info', {}), {
    ok: false,
    error: { code: 'invalid-payload', message: 'The app.info request could not be passed to the engine: Maximum call stack size exceeded' },
  });
  const gone = new EngineClient(() => fakeTransport(() => { throw Object.assign(new Error('The engine process is not running.'), { engineGone: true }); }), () => undefined);
  const reply = await gone.invoke('app.info', {});
  assert.equal(reply.ok ? 'ok' : reply.error.code, 'engine-crashed');
});
