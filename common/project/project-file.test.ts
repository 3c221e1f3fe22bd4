import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PROJECT_FORMAT, validateProject } from './project-file';
import { getTemplate } from '../model/templates';

const good = () => ({ format: PROJECT_FORMAT, version: 1, name: 'p', savedAt: '', model: getTemplate('iris-mlp'), layout: { dense_1: { x: 0, y: 0 } }, dataset: { ref: 'iris' }, training: {}, runs: [] });

test('a valid project passes as it is', () => {
  const p = validateProject(good(), 'p.glasswing.json');
  assert.equal(p.name, 'p');
  assert.deepEqual(p.layout, { dense_1: { x: 0, y: 0 } });
});

test('damaged and newer files are refused with a message naming the problem', () => {
  const cases: [unknown, RegExp][] = [
    [[1, 2], /not a JSON object/],
    [{ ...good(), format: 'something-else' }, /not a Glasswing project/],
    [{ ...good(), version: 99 }, /saved by a newer Glasswing \(project version 99; this one reads up to 1\)/],
    [{ ...good(), version: 'one' }, /no valid version/],
    [{ ...good(), model: { class_name: 'Sequential' } }, /damaged: its "model" is not Keras model JSON/],
    [{ ...good(), layout: { a: { x: 'left' } } }, /damaged: "layout"/],
    [{ ...good(), runs: [{ id: 3 }] }, /damaged: "runs"/],
  ];
  for (const [json, message] of cases) assert.throws(() => validateProject(json, 'p.glasswing.json'), message);
});
