import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DockconvError } from '../errors';
import { loadTree } from '../../testing/temp-tree';
import { neededFor, parentsInPlan, planBuild, pullsOnForce, requestedImages, withForcedBase } from './build-plan';
import { schedule } from '../image-build/scheduler';

function load() {
  return loadTree(
    {
      'p/docker/base/Dockerfile': 'FROM debian:12\n',
      'p/docker/dev/Dockerfile': 'ARG BASE_IMAGE\nFROM ${BASE_IMAGE}\n',
      'p/docker/app/Dockerfile': 'ARG BASE_IMAGE\nFROM ${BASE_IMAGE} AS builder\nFROM p-dev:alice\n',
      'p/docker/run.cfg': '[run_image]\nsynthetic_images = shell\n\n[shell]\nname = dev\n',
      'q/docker/cli/Dockerfile': 'ARG TAG\nFROM p-base:${TAG}\n',
    },
    [['p', 'p'], ['q', 'q']],
  );
}

const ws = load();
const p = ws.projects.get('p');
const q = ws.projects.get('q');

describe('build plan', () => {
  it('asks for every image of the project, or the one named', () => {
    assert.ok(p && q);
    assert.deepEqual(requestedImages(p).sort(), ['p:app', 'p:base', 'p:dev']);
    assert.deepEqual(requestedImages(p, 'dev'), ['p:dev']);
  });
  it('refuses an unknown or run-only image with a clear message', () => {
    assert.ok(p);
    assert.throws(() => requestedImages(p, 'nope'), /unknown image 'nope' in project p/);
    assert.throws(() => requestedImages(p, 'shell'), (e: unknown) => e instanceof DockconvError && /not built here \(it runs 'dev'/.test(e.describe()));
  });
  it('orders parents first, across projects', () => {
    assert.deepEqual(planBuild(ws.graph, ['q:cli']), ['p:base', 'q:cli']);
    const order = planBuild(ws.graph, ['p:app', 'q:cli']);
    assert.ok(order.indexOf('p:base') < order.indexOf('p:dev') && order.indexOf('p:dev') < order.indexOf('p:app'));
  });
  it('--image keeps the image and its ancestors, also where it travelled to another project', () => {
    assert.ok(p && q);
    assert.ok(neededFor(ws.graph, p, 'base', 'app'));
    assert.ok(neededFor(ws.graph, p, 'dev', 'app'));
    assert.ok(!neededFor(ws.graph, p, 'app', 'dev'));
    assert.ok(neededFor(ws.graph, p, 'base', 'cli'));
    assert.ok(!neededFor(ws.graph, p, 'dev', 'cli'));
    assert.throws(() => neededFor(ws.graph, p, 'base', 'nope'), /unknown image 'nope' in project p/);
    assert.deepEqual(parentsInPlan(ws.graph, 'p:app', ['p:dev', 'p:app']), ['p:dev']);
  });
});

describe('scheduler', () => {
  const parents: Record<string, string[]> = { base: [], a: ['base'], b: ['base'], c: ['a'], other: [] };
  const parentsOf = (id: string) => parents[id] ?? [];
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

  it('runs independent images in parallel, never more than `parallel`, parents first', async () => {
    let running = 0;
    let peak = 0;
    const started: string[] = [];
    const result = await schedule(['base', 'other', 'a', 'b', 'c'], parentsOf, 2, async (id) => {
      started.push(id);
      peak = Math.max(peak, ++running);
      await sleep(20);
      running--;
    });
    assert.equal(peak, 2);
    assert.deepEqual(result.failed, []);
    assert.equal(result.done.length, 5);
    assert.ok(started.indexOf('base') < started.indexOf('a') && started.indexOf('a') < started.indexOf('c'));
  });
  it('the first failure skips dependents; what already runs finishes', async () => {
    const finished: string[] = [];
    const result = await schedule(['base', 'other', 'a', 'b', 'c'], parentsOf, 2, async (id) => {
      await sleep(id === 'other' ? 40 : 5);
      if (id === 'base') throw new Error('boom');
      finished.push(id);
    });
    assert.deepEqual(result.failed.map((f) => f.id), ['base']);
    assert.deepEqual(finished, ['other']);
    assert.deepEqual(result.skipped.sort(), ['a', 'b', 'c']);
  });
});

describe('forced base builds, as dockerutils build-image -f', () => {
  const forced = loadTree(
    {
      'f/docker/base/Dockerfile': 'FROM debian:12\n',
      'f/docker/tool/Dockerfile': 'FROM alpine:3\n',
      'f/docker/dev/Dockerfile': 'ARG BASE_IMAGE\nFROM ${BASE_IMAGE}\n',
      'f/docker/run.cfg': '[base]\npull_FROM_on_force = True\n[tool]\npull_FROM_on_force = yes\n[dev]\npull_FROM_on_force = yes\n',
      'g/docker/tool/Dockerfile': 'FROM alpine:3\n',
    },
    [['f', 'f'], ['g', 'g']],
  );
  const f = forced.projects.get('f');
  const g = forced.projects.get('g');
  it('adds the base first, also for an image that does not derive from it', () => {
    assert.ok(f && g);
    assert.deepEqual(withForcedBase(f, ['f:tool'], true), ['f:base', 'f:tool']);
    assert.deepEqual(withForcedBase(f, ['f:tool'], false), ['f:tool']);
    assert.deepEqual(withForcedBase(f, ['f:base'], true), ['f:base']);
    assert.deepEqual(withForcedBase(g, ['g:tool'], true), ['g:tool'], 'no base, nothing to add');
  });
  it('pulls on force only images from external images alone whose section asks for it', () => {
    const file = f?.runConfig.file ?? '';
    const node = (id: string) => {
      const n = forced.graph.get(id);
      assert.ok(n);
      return n;
    };
    assert.equal(pullsOnForce(node('f:base'), file), true);
    assert.equal(pullsOnForce(node('f:tool'), file), true);
    assert.equal(pullsOnForce(node('f:dev'), file), false, 'its FROM is a workspace image: no registry has it');
    assert.equal(pullsOnForce(node('g:tool'), file), false);
  });
});
