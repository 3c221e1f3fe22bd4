import { test } from 'node:test';
import assert from 'node:assert/strict';
import { askBeforeLeaving, type UnloadContents } from './leave-guard';

test('when the page objects to leaving, the person is asked: Leave lets the window go, Stay keeps it', () => {
  let listener: ((event: { preventDefault(): void }) => void) | null = null;
  const contents: UnloadContents = { on: (_event, l) => (listener = l) };
  let answer = true;
  let asked = 0;
  askBeforeLeaving(contents, () => {
    asked++;
    return answer;
  });
  const leaves = () => {
    let overridden = false;
    listener!({ preventDefault: () => (overridden = true) });
    return overridden;
  };
  assert.equal(leaves(), true, 'Leave: the page’s objection is overridden');
  answer = false;
  assert.equal(leaves(), false, 'Stay: the window stays');
  assert.equal(asked, 2);
});
