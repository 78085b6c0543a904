import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { containerName } from './container-name';

const when = new Date(2025, 0, 2, 3, 4, 5, 6);
const VALID = /^[a-zA-Z0-9][a-zA-Z0-9_.-]+$/;

describe('containerName', () => {
  it('is <user>_<image>_<local timestamp to the millisecond>', () => {
    assert.equal(containerName('alice', 'dev', when), 'alice_dev_20250102-030405.006');
  });

  for (const user of ['jean.dupont@corp.example', 'DOMAIN\\bob', '_svc', '.hidden', 'ünïcode user', '---']) {
    it(`is valid for Docker with user ${JSON.stringify(user)}`, () => {
      const name = containerName(user, 'note book', when);
      assert.match(name, VALID);
      assert.ok(name.endsWith('_note-book_20250102-030405.006'), name);
    });
  }
});
