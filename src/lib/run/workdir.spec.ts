import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { findImage } from '../model/project';
import { loadWorkspaceImages, type WorkspaceImages } from '../model/workspace';
import { workdirSource } from './workdir';
import { tempTree } from '../../testing/temp-tree';

const FILES: Record<string, string> = {
  'apps/a/docker/base/Dockerfile': 'FROM python:3.12\nWORKDIR /srv\nWORKDIR app\n',
  'apps/a/docker/dev/Dockerfile': 'ARG BASE_IMAGE\nFROM ${BASE_IMAGE}\nRUN true\n',
  'apps/a/docker/prod/Dockerfile': 'ARG BASE_IMAGE\nFROM ${BASE_IMAGE} AS builder\nWORKDIR /build\nFROM ${BASE_IMAGE}\nWORKDIR /opt/prod\n',
  'apps/a/docker/bare/Dockerfile': 'FROM scratch\nCOPY x /x\n',
  'apps/a/docker/ext/Dockerfile': 'FROM jupyter/base-notebook:latest\n',
  'apps/a/docker/run.cfg': '[run_image]\nsynthetic_images = shell\n[shell]\nname = dev\n[nb]\nname = jupyter/base-notebook\ntag = latest\nprefix = false\n',
  'libs/b/docker/job/Dockerfile': 'FROM a-dev:alice\n',
};

describe('workdirSource', () => {
  let root = '';
  let ws: WorkspaceImages;
  before(() => {
    root = tempTree(FILES, 'workdir-');
    ws = loadWorkspaceImages(root, [{ name: 'a', root: 'apps/a' }, { name: 'b', root: 'libs/b' }], { user: 'alice', env: {} });
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  const source = (project: string, type: string) => {
    const p = ws.projects.get(project);
    assert.ok(p);
    return workdirSource(ws.projects, ws.graph, findImage(p, type));
  };

  it("the image's own last WORKDIR, relative ones resolved", () => assert.deepEqual(source('a', 'base'), { workdir: '/srv/app' }));
  it("the final stage's, not the builder's", () => assert.deepEqual(source('a', 'prod'), { workdir: '/opt/prod' }));
  it("none set: the parent image's Dockerfile", () => assert.deepEqual(source('a', 'dev'), { workdir: '/srv/app' }));
  it('across projects, up two levels', () => assert.deepEqual(source('b', 'job'), { workdir: '/srv/app' }));
  it('a synthetic image: the image it runs', () => assert.deepEqual(source('a', 'shell'), { workdir: '/srv/app' }));
  it('FROM scratch without WORKDIR: /', () => assert.deepEqual(source('a', 'bare'), { workdir: '/' }));
  it('an external FROM without WORKDIR: ask the engine about that image', () => {
    assert.deepEqual(source('a', 'ext'), { inspect: 'jupyter/base-notebook:latest' });
  });
  it('a configuration-only image: ask the engine about it', () => assert.deepEqual(source('a', 'nb'), { inspect: 'jupyter/base-notebook:latest' }));
});
