// The fuzzer at a small count (CI): the known crash inputs, 600 random socket messages and 150
// malformed HTTP requests leave the host and the same engine process up and answering.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runFuzz } from './fuzz';

test('seeded fuzzing leaves the web host and its engine up and answering', async () => {
  const report = await runFuzz({ seed: 7, socketMessages: 600, httpRequests: 150 });
  assert.equal(report.engineRestarts, 0, 'the engine never died');
  assert.equal(report.replies.none, 0, 'every check request got an answer');
  assert.ok(report.replies.ok > 0);
  assert.equal(report.socketMessages, 600);
  assert.equal(report.httpRequests, 150);
  // Requests that announce a body the fuzzer never sends get no status within 3 s: the server waits for it (and times out).
  assert.ok((report.httpStatuses['400'] ?? 0) > 100, `malformed requests get 400: ${JSON.stringify(report.httpStatuses)}`);
});
