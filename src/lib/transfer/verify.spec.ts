import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DockconvError } from '../errors';
import { parseLoadResponse, tagOf } from './verify';

const id = `sha256:${'ab'.repeat(32)}`;

test('load response: loaded IDs are read', () => {
  assert.deepEqual(parseLoadResponse(`{"stream":"Loaded image ID: ${id}\\n"}\n`, 'x'), [id]);
});

test('load response: an error message is a refusal naming the destination', () => {
  assert.throws(
    () => parseLoadResponse('{"errorDetail":{"message":"open /x/layer.tar: no such file"},"error":"open /x/layer.tar: no such file"}', 'ctx'),
    (err: unknown) => err instanceof DockconvError && /ctx refused the image load: open \/x\/layer.tar/.test(err.message),
  );
});

test('tags come from references; IDs and digests set none', () => {
  assert.deepEqual(tagOf('p-base:alice', id), { repo: 'p-base', tag: 'alice' });
  assert.deepEqual(tagOf('localhost:5000/p/app', id), { repo: 'localhost:5000/p/app', tag: 'latest' });
  assert.equal(tagOf('abababababab', id), undefined);
  assert.equal(tagOf(id, id), undefined);
  assert.equal(tagOf(`p@sha256:${'0'.repeat(64)}`, id), undefined);
  assert.deepEqual(tagOf('cafe', id), { repo: 'cafe', tag: 'latest' });
});
