import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DockconvError } from '../errors';
import { emulated, enginePlatform, parsePlatforms, samePlatform } from './platform';
import { runVerdict } from '../run/platform-check';

describe('platforms', () => {
  it('a list as run.cfg or an option writes it: commas or spaces, each once, one spelling', () => {
    assert.deepEqual(parsePlatforms('linux/amd64, linux/arm64/v8 linux/amd64'), ['linux/amd64', 'linux/arm64']);
    assert.deepEqual(parsePlatforms('Linux/ARM/v7'), ['linux/arm/v7']);
  });

  it('anything else is an error naming the form', () => {
    assert.throws(() => parsePlatforms('amd64', { file: 'p/docker/run.cfg', line: 3 }), (err: unknown) => err instanceof DockconvError && /^p\/docker\/run\.cfg:3: 'amd64' is not a platform \(write os\/arch/.test(err.describe()));
    assert.throws(() => parsePlatforms('linux/amd64;rm -rf'), /is not a platform/);
  });

  it("an engine's platform from docker info's uname-style architecture", () => {
    assert.deepEqual(enginePlatform({ OSType: 'linux', Architecture: 'x86_64' }), { os: 'linux', architecture: 'amd64' });
    assert.deepEqual(enginePlatform({ OSType: 'linux', Architecture: 'aarch64' }), { os: 'linux', architecture: 'arm64' });
    assert.deepEqual(enginePlatform({ OSType: 'linux', Architecture: 'armv7l' }), { os: 'linux', architecture: 'arm', variant: 'v7' });
  });

  it('a variant the engine does not ask for matches any', () => {
    assert.equal(samePlatform({ os: 'linux', architecture: 'arm', variant: 'v7' }, { os: 'linux', architecture: 'arm' }), true);
    assert.equal(samePlatform({ os: 'linux', architecture: 'arm', variant: 'v6' }, { os: 'linux', architecture: 'arm', variant: 'v7' }), false);
    assert.equal(samePlatform({ os: 'linux', architecture: 'arm64' }, { os: 'linux', architecture: 'amd64' }), false);
  });

  it('emulation is what binfmt_misc has enabled', () => {
    const dir = mkdtempSync(join(tmpdir(), 'dockconv-binfmt-'));
    writeFileSync(join(dir, 'qemu-aarch64'), 'enabled\ninterpreter /usr/libexec/qemu-binfmt/aarch64-binfmt-P\n');
    writeFileSync(join(dir, 'qemu-arm'), 'disabled\n');
    assert.equal(emulated({ os: 'linux', architecture: 'arm64' }, dir), true);
    assert.equal(emulated({ os: 'linux', architecture: 'arm' }, dir), false);
    assert.equal(emulated({ os: 'linux', architecture: 's390x' }, dir), false);
  });

  it('a container starts where the platform is native or emulated; a remote engine is not known', () => {
    const amd64 = { os: 'linux', architecture: 'amd64' };
    const arm64 = { os: 'linux', architecture: 'arm64' };
    assert.equal(runVerdict(amd64, amd64, false), 'native');
    assert.equal(runVerdict(arm64, amd64, true), 'emulated');
    assert.equal(runVerdict(arm64, amd64, false), 'refused');
    assert.equal(runVerdict(arm64, amd64, undefined), 'unknown');
  });
});
