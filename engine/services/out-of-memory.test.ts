import { test } from 'node:test';
import assert from 'node:assert/strict';
import { trainingErrorMessage } from './out-of-memory';

test('memory errors name the tensor size and what to change; other errors keep their message', () => {
  assert.equal(trainingErrorMessage(new RangeError('Invalid typed array length: 512000000')),
    'Out of memory: one tensor of 512,000,000 values (1,953 MiB as float32) does not fit. Use smaller images, a smaller batch or fewer filters.');
  assert.match(trainingErrorMessage(new RangeError('Array buffer allocation failed')), /^Out of memory \(Array buffer allocation failed\)\. Use smaller images/);
  assert.match(trainingErrorMessage(new RangeError('WebAssembly.Memory.grow(): Maximum memory size exceeded')), /^Out of memory \(WebAssembly/);
  const kernels = 'Glasswing fast kernels: one layer needs 4395 MiB at once, more than the 2 GiB the kernels can address: use smaller images or a smaller batch';
  assert.equal(trainingErrorMessage(new Error(kernels)), kernels);
  assert.equal(trainingErrorMessage(new Error('The data set has no rows.')), 'The data set has no rows.');
  assert.equal(trainingErrorMessage('plain'), 'plain');
});
