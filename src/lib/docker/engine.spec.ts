import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DockconvError } from '../errors';
import { engineOf, parseImageList } from './engine';

describe('labelled image list', () => {
  it('maps references to IDs and leaves out untagged images', () => {
    const text = ['shop-dev:alice\tsha256:aa', '<none>:<none>\tsha256:bb', 'localhost:5000/x/y:1.0\tsha256:cc', ''].join('\n');
    assert.deepEqual([...parseImageList(text)], [
      ['shop-dev:alice', 'sha256:aa'],
      ['localhost:5000/x/y:1.0', 'sha256:cc'],
    ]);
  });
});

/**
 * The engine's questions against a recorded docker CLI: a script standing in for `docker` (as
 * DOCKCONV_DOCKER lets users point at a wrapper) that answers what Engine 26 answered, so the
 * parsing and the error paths are checked without an engine; e2e asks real ones.
 */
describe('Engine questions through the docker CLI', () => {
  const dir = mkdtempSync(join(tmpdir(), 'dockconv-engine-'));
  const log = join(dir, 'calls');
  const script = join(dir, 'docker');
  writeFileSync(
    script,
    `#!/bin/sh
printf '%s\\n' "$*" >> ${log}
case "$*" in
  "info --format {{.ID}}") echo ENGINE1 ;;
  "info --format {{json .OSType}}"*) printf '"linux"\\t"x86_64"\\t[["driver-type","io.containerd.snapshotter.v1"]]\\n' ;;
  "image ls --no-trunc --filter label=dev.x --format"*) printf 'p-dev:me\\tsha256:aa\\n<none>:<none>\\tsha256:bb\\n' ;;
  *"image inspect"*"missing:1") echo "Error response from daemon: No such image: missing:1" >&2; exit 1 ;;
  *"image inspect"*"denied:1") echo "permission denied while trying to connect" >&2; exit 1 ;;
  "image inspect --format {{json .Id}}"*) printf '"sha256:aa"\\t{"dev.x":"1"}\\n' ;;
  "image inspect --format {{.Os}}"*) printf 'linux\\tarm64\\tv8\\n' ;;
  "image inspect --format {{json .Config.WorkingDir}}"*) echo '""' ;;
  *) echo "unexpected: $*" >&2; exit 2 ;;
esac
`,
  );
  chmodSync(script, 0o755);
  const engine = engineOf({ ...process.env, DOCKCONV_DOCKER: script });

  it('reads the ID, the labelled images and the facts from what the CLI prints', async () => {
    assert.equal(await engine.id(), 'ENGINE1');
    assert.deepEqual(await engine.labelledImages('dev.x'), { engine: 'ENGINE1', images: new Map([['p-dev:me', 'sha256:aa']]) });
    assert.deepEqual(await engine.facts(), { os: 'linux', architecture: 'x86_64', store: 'containerd' });
  });

  it('inspects an image; one the engine lacks is undefined, any other failure an error', async () => {
    assert.deepEqual(await engine.inspectImage('p-dev:me'), { id: 'sha256:aa', labels: { 'dev.x': '1' } });
    assert.deepEqual(await engine.imagePlatform('p-dev:me'), { os: 'linux', architecture: 'arm64', variant: 'v8' });
    assert.equal(await engine.imageWorkdir('p-dev:me'), '/');
    assert.equal(await engine.inspectImage('missing:1'), undefined);
    assert.equal(await engine.imagePlatform('missing:1'), undefined);
    assert.equal(await engine.imageWorkdir('missing:1'), undefined);
    await assert.rejects(engine.inspectImage('denied:1'), /cannot inspect denied:1: permission denied/);
  });

  it('an engine that does not answer is one line with a hint, or no snapshot', async () => {
    const gone = engineOf({ ...process.env, DOCKCONV_DOCKER: join(dir, 'no-such-docker') });
    await assert.rejects(gone.id(), (err: unknown) => err instanceof DockconvError && /cannot reach the Docker engine: .*command not found/.test(err.message) && /DOCKER_HOST/.test(err.describe()));
    assert.equal(await gone.labelledImages('dev.x'), undefined);
  });

  it('every question is one docker process, with no build and nothing else', () => {
    const calls = readFileSync(log, 'utf8').trim().split('\n');
    assert.ok(calls.length >= 10, 'the questions above were asked');
    assert.ok(calls.every((c) => c.startsWith('info --format') || c.startsWith('image ls') || c.startsWith('image inspect')), calls.join('\n'));
  });
});
