import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { confirmState, issueState, retireState, uncheckedState, type EngineView, type StateRequest } from './image-states';

const REF = 'shop-dev:alice';
const request: StateRequest = { ref: REF, fingerprint: 'f1', parents: [] };
const engine = (images: Record<string, string>, id = 'E1'): EngineView => ({ engine: id, images: new Map(Object.entries(images)) });
const store = () => mkdtempSync(join(tmpdir(), 'dockconv-states-'));

/** One command: the state Nx hashes, then (when the run succeeded) what it left. */
function runOnce(dir: string, view: EngineView, leaves?: string, req = request, parents: string[] = []): string {
  const state = issueState(dir, view, req);
  if (leaves) confirmState(dir, state, { engine: view.engine, ref: req.ref, image: leaves, parents });
  return state;
}

describe('image states', () => {
  it('the first run after a build hashes the same state, and so does every no-op after it', () => {
    const dir = store();
    const built = runOnce(dir, engine({}), 'sha256:x');
    assert.equal(issueState(dir, engine({ [REF]: 'sha256:x' }), request), built);
    assert.equal(issueState(dir, engine({ [REF]: 'sha256:x' }), request), built);
  });

  it('an image that is gone never matches, however often it is removed and rebuilt', () => {
    const dir = store();
    const states = new Set<string>();
    for (let i = 0; i < 3; i++) {
      states.add(runOnce(dir, engine({ [REF]: `sha256:${i - 1}` }), `sha256:${i}`));
      states.add(issueState(dir, engine({}), request));
    }
    assert.equal(states.size, 4, 'the first build and each removal: new states; a state waiting for its first run is reused');
    const afterRemoval = issueState(dir, engine({}), request);
    assert.ok(states.has(afterRemoval), 'no run succeeded since the last removal: nothing can be replayed under it');
  });

  it('another image under the reference (re-tag, other branch) does not match', () => {
    const dir = store();
    const built = runOnce(dir, engine({}), 'sha256:x');
    assert.notEqual(issueState(dir, engine({ [REF]: 'sha256:other' }), request), built);
  });

  it('A → B → A: the state A was replayed under comes back only with A\'s image on the engine', () => {
    const dir = store();
    const a = { ...request, fingerprint: 'A' };
    const b = { ...request, fingerprint: 'B' };
    const stateA = runOnce(dir, engine({}), 'sha256:a', a);
    runOnce(dir, engine({ [REF]: 'sha256:a' }), 'sha256:b', b);
    assert.notEqual(issueState(dir, engine({ [REF]: 'sha256:b' }), a), stateA, 'B on the engine');
  });

  it('a run that leaves another image than the one recorded retires the state it ran under', () => {
    const dir = store();
    const state = runOnce(dir, engine({}), 'sha256:x');
    // Same inputs, rebuilt anyway (--noCache, a build arg option): the state's results now disagree.
    confirmState(dir, state, { engine: 'E1', ref: REF, image: 'sha256:y', parents: [] });
    const next = issueState(dir, engine({ [REF]: 'sha256:y' }), request);
    assert.notEqual(next, state);
    confirmState(dir, next, { engine: 'E1', ref: REF, image: 'sha256:y', parents: [] });
    assert.equal(issueState(dir, engine({ [REF]: 'sha256:y' }), request), next, 'then it settles');
  });

  it('a run on another engine or reference than its state was taken for retires it', () => {
    for (const contradiction of [{ engine: 'E2', ref: REF }, { engine: 'E1', ref: 'shop-dev:ci' }]) {
      const dir = store();
      const state = issueState(dir, engine({}), request);
      confirmState(dir, state, { ...contradiction, image: 'sha256:x', parents: [] });
      assert.notEqual(issueState(dir, engine({ [REF]: 'sha256:x' }), request), state);
    }
  });

  it('engines and references have states of their own', () => {
    const dir = store();
    const one = runOnce(dir, engine({}, 'E1'), 'sha256:x');
    assert.notEqual(issueState(dir, engine({ [REF]: 'sha256:x' }, 'E2'), request), one);
    assert.notEqual(issueState(dir, engine({ 'shop-dev:ci': 'sha256:x' }), { ...request, ref: 'shop-dev:ci' }), one);
  });

  it('a derived image follows its parent: a new parent state is a new state, an unconfirmed parent retires it', () => {
    const dir = store();
    const baseReq = { ref: 'shop-base:alice', fingerprint: 'b', parents: [] };
    const base = runOnce(dir, engine({}), 'sha256:base1', baseReq);
    const derivedReq = (parent: string) => ({ ...request, parents: [parent] });
    const derived = runOnce(dir, engine({}), 'sha256:d1', derivedReq(base), [base]);
    const view = engine({ 'shop-base:alice': 'sha256:base1', [REF]: 'sha256:d1' });
    assert.equal(issueState(dir, view, derivedReq(issueState(dir, view, baseReq))), derived, 'both unchanged');

    const rebuilt = engine({ 'shop-base:alice': 'sha256:base2', [REF]: 'sha256:d1' });
    const newBase = issueState(dir, rebuilt, baseReq);
    assert.notEqual(newBase, base);
    const newDerived = issueState(dir, rebuilt, derivedReq(newBase));
    assert.notEqual(newDerived, derived, 'the base was rebuilt');
    // Built with its parent's task left out: the parent's new state was never confirmed.
    confirmState(dir, newDerived, { engine: 'E1', ref: REF, image: 'sha256:d2', parents: [newBase] });
    assert.notEqual(issueState(dir, engine({ 'shop-base:alice': 'sha256:base2', [REF]: 'sha256:d2' }), derivedReq(newBase)), newDerived);
  });

  it('a dry run retires its state; unchecked states and foreign values change nothing', () => {
    const dir = store();
    const state = runOnce(dir, engine({}), 'sha256:x');
    retireState(dir, state);
    assert.notEqual(issueState(dir, engine({ [REF]: 'sha256:x' }), request), state);
    const unchecked = uncheckedState();
    assert.notEqual(unchecked, uncheckedState());
    for (const value of [unchecked, undefined, '', 'garbage']) {
      retireState(dir, value);
      confirmState(dir, value, { engine: 'E1', ref: REF, image: 'sha256:x', parents: [] });
    }
  });
});
