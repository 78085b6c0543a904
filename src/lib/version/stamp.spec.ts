import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { publicSource } from './stamp';

describe('publicSource', () => {
  it('the source URL loses its credentials', () => {
    assert.equal(publicSource('https://user:tok@github.com/acme/shop.git'), 'https://github.com/acme/shop.git');
    assert.equal(publicSource('https://ghp_token@github.com/acme/shop.git'), 'https://github.com/acme/shop.git');
    assert.equal(publicSource('git@github.com:acme/shop.git'), 'git@github.com:acme/shop.git');
    assert.equal(publicSource(''), undefined);
  });
});
