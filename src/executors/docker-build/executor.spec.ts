import { test } from 'node:test';
import assert from 'node:assert/strict';
import { secretSpecs } from './executor';

test('secrets Nx split at commas are joined back, a new one at each further id=', () => {
  assert.deepEqual(secretSpecs(['id=a', 'src=f']), ['id=a,src=f']);
  assert.deepEqual(secretSpecs(['id=a', 'src=f', 'id=b', 'env=B']), ['id=a,src=f', 'id=b,env=B']);
  assert.deepEqual(secretSpecs(['id=a,env=A']), ['id=a,env=A']);
  assert.deepEqual(secretSpecs(['src=f', 'id=a']), ['src=f,id=a']);
  assert.deepEqual(secretSpecs([]), []);
});
