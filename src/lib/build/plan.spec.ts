import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DockconvError } from '../errors';
import { loadTree } from '../../testing/temp-tree';
import { neededFor, parentsInPlan, planBuild, requestedImages } from './plan';
import { schedule } from './scheduler';

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
