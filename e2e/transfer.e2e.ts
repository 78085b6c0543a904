/**
 * transfer-image against real engines: the first (default) engine is the source, a second
 * dockerd on its own socket the destination; bytes on the wire are counted by a proxy in front
 * of it, not taken from the tool's own report.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { BUSYBOX_IMAGE, docker, ensureEngine, imageIdOf, removeImages } from './helpers/engine';
import { countingProxy, startSecondEngine, startSshd, type SecondEngine } from './helpers/second-engine';
import { transfer } from './helpers/transfer';
import { skipRequired } from '../src/testing/required';
import { createWorkspace, output, projectJson } from './helpers/workspace';

const BASE = 'dockconv-xfer-base:e2e';
const DERIVED = 'dockconv-xfer-derived:e2e';
const DERIVED_LAYER = 200 * 1024;
const TEXT = 'dockconv-xfer-text:e2e';
const DEST_ONLY = 'dockconv-xfer-dest-only:e2e';
const TEXT_LAYER = 1024 * 1024;

const sourceStore = () => (docker(['info', '--format', '{{json .DriverStatus}}']).includes('io.containerd.snapshotter') ? 'containerd' : 'classic');

function build(tag: string, dockerfile: string, files: Record<string, Buffer> = {}): void {
  const dir = mkdtempSync(join(tmpdir(), 'dockconv-xfer-ctx-'));
  writeFileSync(join(dir, 'Dockerfile'), dockerfile);
  for (const [name, body] of Object.entries(files)) writeFileSync(join(dir, name), body);
  docker(['build', '-q', '-t', tag, dir]);
}

describe('transfer-image between two real engines', () => {
  let dest: SecondEngine;
  /** The image ID the destination has under `ref`. */
  const destId = (ref: string) => dest.docker(['image', 'inspect', '--format', '{{.Id}}', ref]);
  /** After a failed transfer: running it again succeeds with the source's image ID. */
  const rerunCompletes = async () => {
    const again = await transfer({ image: DERIVED, to: dest.host });
    assert.equal(again.success, true, again.out);
    assert.equal(destId(DERIVED), imageIdOf(DERIVED));
    dest.docker(['rmi', DERIVED]);
  };

  before(async () => {
    ensureEngine();
    dest = await startSecondEngine();
    dest.clear();
    build(BASE, `FROM ${BUSYBOX_IMAGE}\nCOPY base.bin /base.bin\nCMD ["sh","-c","echo base runs"]\n`, { 'base.bin': randomBytes(300 * 1024) });
    build(DERIVED, `FROM ${BASE}\nCOPY extra.bin /extra.bin\n`, { 'extra.bin': randomBytes(DERIVED_LAYER) });
  });
  after(async () => {
    removeImages([BASE, DERIVED]);
    await dest?.stop();
  });

  it('sends base to an empty engine: ID verified, it runs there', async () => {
    const { success, out } = await transfer({ image: BASE, to: dest.host });
    assert.equal(success, true, out);
    assert.equal(destId(BASE), imageIdOf(BASE));
    assert.equal(dest.docker(['run', '--rm', '--network', 'none', BASE]), 'base runs');
    assert.match(out, /image IDs verified/);
  });

  it('dryRun prints the plan with layer sizes and sends nothing', async () => {
    const { success, out } = await transfer({ image: [DERIVED], to: dest.host, dryRun: true });
    assert.equal(success, true, out);
    assert.match(out, /dockconv-xfer-derived:e2e \([0-9a-f]{12}\): \d+ layers, \d+ already there/);
    // The layer is 200 kB; engines count a little more (20.10: 205 kB; 26 with containerd: 209 kB).
    assert.match(out, /send {4}[0-9a-f]{12} 2[01]\d kB/);
    assert.match(out, /present [0-9a-f]{12}/);
    assert.throws(() => dest.docker(['image', 'inspect', DERIVED]));
  });

  it('a transfer cut mid-stream fails clearly and leaves no tag; running it again succeeds', async () => {
    const proxy = await countingProxy(dest.socket, join(tmpdir(), `dockconv-cut-${process.pid}.sock`));
    try {
      proxy.killAfter(DERIVED_LAYER / 2);
      const cut = await transfer({ image: DERIVED, to: proxy.host, full: true });
      assert.equal(cut.success, false);
      assert.match(cut.out, /(transfer to|cannot reach).*(failed|socket|ECONNRESET|EPIPE|hang up|closed)/i);
      assert.throws(() => dest.docker(['image', 'inspect', DERIVED]), 'no tag may be left behind');
    } finally {
      await proxy.close();
    }
    await rerunCompletes();
  });

  it('killing the destination engine mid-transfer: a clear error, no tag there, a rerun completes', async () => {
    const proxy = await countingProxy(dest.socket, join(tmpdir(), `dockconv-kill-${process.pid}.sock`));
    try {
      // Mid-archive: the base layer alone is 300 kB, and `full` sends it too.
      proxy.onUploaded(DERIVED_LAYER, () => void dest.kill());
      const killed = await transfer({ image: DERIVED, to: proxy.host, full: true });
      assert.equal(killed.success, false, killed.out);
      assert.match(killed.out, /^error: transfer to unix:\S+ failed: .*\(nothing was tagged there; run it again\)$/m);
    } finally {
      await proxy.close();
    }
    await dest.restart();
    assert.throws(() => dest.docker(['image', 'inspect', DERIVED]), 'no tag may be left behind');
    await rerunCompletes();
  });

  it('sends only the derived layer when the destination has base (bytes counted on the wire)', async () => {
    const proxy = await countingProxy(dest.socket, join(tmpdir(), `dockconv-count-${process.pid}.sock`));
    try {
      const { success, out } = await transfer({ image: DERIVED, to: proxy.host });
      assert.equal(success, true, out);
      const crossed = proxy.uploaded();
      // The random layer does not compress: ~200 kB, plus tar headers, metadata and API requests.
      assert.ok(crossed > DERIVED_LAYER * 0.95 && crossed < DERIVED_LAYER + 64 * 1024, `${crossed} bytes crossed`);
      assert.equal(destId(DERIVED), imageIdOf(DERIVED));
    } finally {
      await proxy.close();
    }
  });

  it('plans by reading images both engines hold on the local source: only the others are inspected across', async () => {
    const ctx = mkdtempSync(join(tmpdir(), 'dockconv-xfer-ctx-'));
    writeFileSync(join(ctx, 'Dockerfile'), `FROM ${BASE}\nLABEL only=destination\n`);
    dest.docker(['build', '-q', '-t', DEST_ONLY, ctx]);
    const proxy = await countingProxy(dest.socket, join(tmpdir(), `dockconv-plan-${process.pid}.sock`));
    try {
      const { success, out } = await transfer({ image: DERIVED, to: proxy.host, dryRun: true });
      assert.equal(success, true, out);
      const inspected = proxy.requests().filter((r) => /\/images\/[^/]+\/json /.test(r));
      const id = (ref: string, on: (args: string[]) => string) => on(['image', 'inspect', '--format', '{{.Id}}', ref]).replace('sha256:', '');
      assert.ok(inspected.some((r) => r.includes(id(DEST_ONLY, dest.docker))), inspected.join('\n'));
      for (const shared of [BASE, DERIVED]) assert.ok(!inspected.some((r) => r.includes(id(shared, docker))), `${shared} inspected across: ${inspected.join('\n')}`);
      assert.match(out, /already there, tag only/);
    } finally {
      await proxy.close();
      dest.docker(['rmi', DEST_ONLY]);
    }
  });

  it('compresses only when asked or across a network: auto sends a local engine the plain archive', async () => {
    const text = 'dockconv '.repeat(Math.ceil(TEXT_LAYER / 9)).slice(0, TEXT_LAYER);
    build(TEXT, `FROM ${BASE}\nCOPY text.txt /text.txt\n`, { 'text.txt': Buffer.from(text) });
    const proxy = await countingProxy(dest.socket, join(tmpdir(), `dockconv-gz-${process.pid}.sock`));
    const crossing = async (compress?: string) => {
      const before = proxy.uploaded();
      const { success, out } = await transfer({ image: TEXT, to: proxy.host, ...(compress ? { compress } : {}) });
      assert.equal(success, true, out);
      assert.equal(destId(TEXT), imageIdOf(TEXT));
      dest.docker(['rmi', TEXT]);
      return { bytes: proxy.uploaded() - before, out };
    };
    try {
      const auto = await crossing();
      // The classic store keeps layers as plain tars; the containerd store keeps the gzip blobs
      // BuildKit wrote, and a save sends them as they are.
      if (sourceStore() === 'containerd') assert.ok(auto.bytes < TEXT_LAYER / 10, `auto, local engine, gzip blob: ${auto.bytes} bytes crossed`);
      else assert.ok(auto.bytes > TEXT_LAYER, `auto, local engine: ${auto.bytes} bytes crossed`);
      assert.match(auto.out, /<leave out \d+ layer\(s\)> \|/);
      const gzip = await crossing('gzip');
      assert.ok(gzip.bytes < TEXT_LAYER / 10, `gzip: ${gzip.bytes} bytes crossed`);
      assert.match(gzip.out, /<leave out \d+ layer\(s\), gzip> \|/);
    } finally {
      await proxy.close();
      removeImages([TEXT]);
    }
  });

  it('an image the destination has is only tagged', async () => {
    dest.docker(['tag', DERIVED, 'moved:away']);
    dest.docker(['rmi', DERIVED]);
    const { success, out } = await transfer({ image: DERIVED, to: dest.host });
    assert.equal(success, true, out);
    assert.match(out, /already there, tag only/);
    assert.equal(destId(DERIVED), imageIdOf(DERIVED));
  });

  it('clear errors: unknown context, unreachable host, missing image', async () => {
    const config = mkdtempSync(join(tmpdir(), 'dockconv-cfg-'));
    const unknown = await transfer({ image: BASE, to: 'no-such-context' }, { DOCKER_CONFIG: config });
    assert.equal(unknown.success, false);
    assert.match(unknown.out, /unknown transfer destination 'no-such-context': no such Docker context \(known contexts: default/);
    const unreachable = await transfer({ image: BASE, to: 'tcp://127.0.0.1:1' });
    assert.equal(unreachable.success, false);
    assert.match(unreachable.out, /cannot reach the destination Docker engine at tcp:\/\/127.0.0.1:1: .*ECONNREFUSED/);
    const missing = await transfer({ image: 'dockconv-no-such-image:nope', to: dest.host });
    assert.equal(missing.success, false);
    assert.match(missing.out, /image 'dockconv-no-such-image:nope' not found on the source engine/);
  });

  it('through ssh://root@127.0.0.1:<port> to a local sshd, on one ssh connection', async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'dockconv-sshd-'));
    const sshd = await startSshd(dir, dest.host);
    if (typeof sshd === 'string') return skipRequired(t, sshd);
    try {
      dest.clear();
      // sshd.home's known_hosts lists the sshd's host key: that is why the connection is allowed.
      const { success, out } = await transfer({ image: [BASE, DERIVED], to: `ssh://root@127.0.0.1:${sshd.port}` }, { SSH_KEY: sshd.key, HOME: sshd.home, PATH: sshd.path });
      assert.equal(success, true, out);
      assert.equal(destId(DERIVED), imageIdOf(DERIVED));
      assert.equal(destId(BASE), imageIdOf(BASE));
      // Ping, plan, load, verify and tag: a dozen API requests, one ssh login (sshd's own log).
      const logins = readFileSync(join(dir, 'sshd.log'), 'utf8').match(/Accepted publickey for root/g) ?? [];
      assert.equal(logins.length, 1, 'ssh logins');
    } finally {
      sshd.stop();
    }
  });

  it('an ssh alias from ~/.ssh/config reaches the engine as the docker CLI would (HostName, Port, User, IdentityFile)', async (t) => {
    const sshd = await startSshd(mkdtempSync(join(tmpdir(), 'dockconv-sshd-')), dest.host);
    if (typeof sshd === 'string') return skipRequired(t, sshd);
    try {
      dest.clear();
      writeFileSync(join(sshd.home, '.ssh/config'), `Host engine-box\n  HostName 127.0.0.1\n  Port ${sshd.port}\n  User root\n  IdentityFile ${sshd.key}\n`);
      const { success, out } = await transfer({ image: BASE, to: 'ssh://engine-box' }, { HOME: sshd.home, PATH: sshd.path, SSH_KEY: '', SSH_AUTH_SOCK: '' });
      assert.equal(success, true, out);
      assert.equal(destId(BASE), imageIdOf(BASE));
    } finally {
      sshd.stop();
    }
  });

  it('through a ProxyJump host from ~/.ssh/config, one login on each sshd, gzip across the jump', async (t) => {
    const target = await startSshd(mkdtempSync(join(tmpdir(), 'dockconv-sshd-')), dest.host);
    if (typeof target === 'string') return skipRequired(t, target);
    const jumpDir = mkdtempSync(join(tmpdir(), 'dockconv-jump-'));
    const jump = await startSshd(jumpDir, dest.host, [], 1);
    if (typeof jump === 'string') {
      target.stop();
      return skipRequired(t, jump);
    }
    try {
      dest.clear();
      const host = (name: string, sshd: typeof target, extra = '') => `Host ${name}\n  HostName 127.0.0.1\n  Port ${sshd.port}\n  User root\n  IdentityFile ${sshd.key}\n${extra}`;
      // The target's address is 127.0.0.1 as the jump host sees it; ssh alone knows the way.
      writeFileSync(join(target.home, '.ssh/config'), host('engine-behind-jump', target, '  ProxyJump jump-box\n') + host('jump-box', jump));
      writeFileSync(join(target.home, '.ssh/known_hosts'), readFileSync(join(target.home, '.ssh/known_hosts'), 'utf8') + readFileSync(join(jump.home, '.ssh/known_hosts'), 'utf8'));
      const { success, out } = await transfer({ image: BASE, to: 'ssh://engine-behind-jump' }, { HOME: target.home, PATH: target.path, SSH_KEY: '', SSH_AUTH_SOCK: '' });
      assert.equal(success, true, out);
      assert.equal(destId(BASE), imageIdOf(BASE));
      assert.match(out, /<leave out \d+ layer\(s\), gzip> \|/, 'behind a jump host the engine is not on this machine');
      const logins = (sshd: string) => (readFileSync(join(sshd, 'sshd.log'), 'utf8').match(/Accepted publickey for root/g) ?? []).length;
      assert.equal(logins(jumpDir), 1, 'logins on the jump host');
      assert.equal(logins(dirname(target.home)), 1, 'logins on the target');
    } finally {
      jump.stop();
      target.stop();
    }
  });

  it('a host where the docker dial fails says why, in one line', async (t) => {
    // What a user outside the docker group gets from `docker system dial-stdio`.
    const denied = 'permission denied while trying to connect to the Docker daemon socket';
    const sshd = await startSshd(mkdtempSync(join(tmpdir(), 'dockconv-sshd-')), dest.host, [`ForceCommand echo '${denied}' >&2; exit 1`]);
    if (typeof sshd === 'string') return skipRequired(t, sshd);
    try {
      const { success, out } = await transfer({ image: BASE, to: `ssh://root@127.0.0.1:${sshd.port}` }, { SSH_KEY: sshd.key, HOME: sshd.home, PATH: sshd.path });
      assert.equal(success, false, out);
      const errors = out.split('\n').filter((l) => l.startsWith('error:'));
      assert.equal(errors.length, 1, out);
      assert.match(errors[0] ?? '', new RegExp(`cannot reach the destination Docker engine at ssh://\\S+: \`docker system dial-stdio\` on the host exited 1: ${denied}`));
    } finally {
      sshd.stop();
    }
  });

  it('refuses an ssh host whose key is unknown, changed or revoked, and a login the host refuses, sending nothing', async (t) => {
    const sshd = await startSshd(mkdtempSync(join(tmpdir(), 'dockconv-sshd-')), dest.host);
    if (typeof sshd === 'string') return skipRequired(t, sshd);
    const to = `ssh://root@127.0.0.1:${sshd.port}`;
    const errors = (out: string) => out.split('\n').filter((l) => l.startsWith('error:'));
    try {
      dest.clear();
      const unknown = await transfer({ image: BASE, to }, { SSH_KEY: sshd.key, HOME: mkdtempSync(join(tmpdir(), 'dockconv-home-')), PATH: sshd.path });
      assert.equal(unknown.success, false, unknown.out);
      assert.deepEqual(errors(unknown.out).length, 1, unknown.out);
      assert.match(
        unknown.out,
        new RegExp(
          `^error: ssh host key of 127\\.0\\.0\\.1:${sshd.port} is not in ~/\\.ssh/known_hosts ` +
            `\\(check its fingerprint \\(ssh-keyscan -p ${sshd.port} 127\\.0\\.0\\.1 \\| ssh-keygen -lf -\\), then: ssh-keyscan -p ${sshd.port} 127\\.0\\.0\\.1 >> ~/\\.ssh/known_hosts .*\\)$`,
          'm',
        ),
      );
      assert.equal(dest.docker(['images', '--quiet']), '', 'nothing reached the destination');

      // Another generated key (the client's) recorded for the sshd's address: a changed host key.
      const home = mkdtempSync(join(tmpdir(), 'dockconv-home-'));
      const [type, blob] = readFileSync(`${sshd.key}.pub`, 'utf8').trim().split(/\s+/);
      mkdirSync(join(home, '.ssh'));
      writeFileSync(join(home, '.ssh/known_hosts'), `[127.0.0.1]:${sshd.port} ${type} ${blob}\n`);
      const changed = await transfer({ image: BASE, to }, { SSH_KEY: sshd.key, HOME: home, PATH: sshd.path });
      assert.equal(changed.success, false, changed.out);
      assert.deepEqual(errors(changed.out).length, 1, changed.out);
      assert.match(
        changed.out,
        new RegExp(`^error: \\S+/known_hosts:1: ssh host key of 127\\.0\\.0\\.1:${sshd.port} differs from the known one \\(possible man-in-the-middle\\); refusing to connect \\(.*\\)$`, 'm'),
      );
      assert.equal(dest.docker(['images', '--quiet']), '', 'nothing reached the destination');

      // The escape hatch takes an unlisted host (ssh records it, as its accept-new does), never a changed key.
      const fresh = mkdtempSync(join(tmpdir(), 'dockconv-home-'));
      mkdirSync(join(fresh, '.ssh'));
      const accepted = await transfer({ image: BASE, to }, { SSH_KEY: sshd.key, HOME: fresh, PATH: sshd.path, DOCKCONV_SSH_ACCEPT_NEW: '1' });
      assert.equal(accepted.success, true, accepted.out);
      assert.equal(destId(BASE), imageIdOf(BASE));
      assert.match(readFileSync(join(fresh, '.ssh/known_hosts'), 'utf8'), new RegExp(`^\\[127\\.0\\.0\\.1\\]:${sshd.port} ssh-ed25519 `));
      const stillChanged = await transfer({ image: BASE, to }, { SSH_KEY: sshd.key, HOME: home, PATH: sshd.path, DOCKCONV_SSH_ACCEPT_NEW: '1' });
      assert.equal(stillChanged.success, false, stillChanged.out);
      assert.match(stillChanged.out, /differs from the known one/);

      // The host's own key marked @revoked; then a client key the host does not accept.
      dest.clear();
      const revokedHome = mkdtempSync(join(tmpdir(), 'dockconv-home-'));
      const [hostType, hostBlob] = readFileSync(join(dirname(sshd.home), 'host_key.pub'), 'utf8').trim().split(/\s+/);
      mkdirSync(join(revokedHome, '.ssh'));
      writeFileSync(join(revokedHome, '.ssh/known_hosts'), `@revoked * ${hostType} ${hostBlob}\n`);
      const revoked = await transfer({ image: BASE, to }, { SSH_KEY: sshd.key, HOME: revokedHome, PATH: sshd.path });
      assert.equal(revoked.success, false, revoked.out);
      assert.deepEqual(errors(revoked.out).length, 1, revoked.out);
      assert.match(revoked.out, new RegExp(`^error: ssh host key of 127\\.0\\.0\\.1:${sshd.port} is marked @revoked; refusing to connect`, 'm'));
      const stranger = join(mkdtempSync(join(tmpdir(), 'dockconv-key-')), 'id');
      execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', stranger]);
      const refused = await transfer({ image: BASE, to }, { SSH_KEY: stranger, HOME: sshd.home, PATH: sshd.path });
      assert.equal(refused.success, false, refused.out);
      assert.deepEqual(errors(refused.out).length, 1, refused.out);
      assert.match(refused.out, /^error: cannot reach the destination Docker engine at ssh:\/\/\S+: ssh login refused: root@127\.0\.0\.1: Permission denied \(publickey.*\) \(ssh uses SSH_KEY/m);
      assert.equal(dest.docker(['images', '--quiet']), '', 'nothing reached the destination');
    } finally {
      sshd.stop();
    }
  });
});

describe('transfer-image from a real Nx workspace', () => {
  let dest: SecondEngine;
  const ref = 'shop-base:e2e';
  before(async () => {
    ensureEngine();
    dest = await startSecondEngine();
    build(ref, `FROM ${BUSYBOX_IMAGE}\nRUN echo shop > /shop.txt\n`);
  });
  after(async () => {
    removeImages([ref]);
    await dest?.stop();
  });

  it('nx run <project>:transfer-image:base sends <project>-base:<tag>', () => {
    const ws = createWorkspace({
      'apps/shop/project.json': projectJson('shop'),
      'apps/shop/docker/base/Dockerfile': `FROM ${BUSYBOX_IMAGE}\nRUN echo shop > /shop.txt\n`,
    });
    try {
      const env = { DOCKCONV_TAG: 'e2e' };
      const dry = ws.nx(['run', 'shop:transfer-image:base', `--to=${dest.host}`, '--dryRun'], { env });
      assert.equal(dry.status, 0, output(dry));
      assert.match(output(dry), /shop-base:e2e \([0-9a-f]{12}\)/);
      const result = ws.nx(['run', 'shop:transfer-image:base', `--to=${dest.host}`], { env });
      assert.equal(result.status, 0, output(result));
      assert.equal(dest.docker(['image', 'inspect', '--format', '{{.Id}}', ref]), imageIdOf(ref));
      const bad = ws.nx(['run', 'shop:transfer-image:base', '--to=nowhere-context'], { env });
      assert.notEqual(bad.status, 0);
      assert.match(output(bad), /unknown transfer destination 'nowhere-context'/);
    } finally {
      ws.remove();
    }
  });

  it('a project image missing on the engine is built before it is sent (never "No such image")', () => {
    const missing = 'shop-base:e2e-missing';
    const ws = createWorkspace({
      'apps/shop/project.json': projectJson('shop'),
      'apps/shop/docker/base/Dockerfile': `FROM ${BUSYBOX_IMAGE}\nRUN echo rebuilt > /shop.txt\n`,
    });
    try {
      removeImages([missing]);
      const result = ws.nx(['run', 'shop:transfer-image:base', `--to=${dest.host}`], { env: { DOCKCONV_TAG: 'e2e-missing' } });
      assert.equal(result.status, 0, output(result));
      assert.doesNotMatch(output(result), /No such image/);
      assert.match(output(result), /docker build/);
      assert.equal(dest.docker(['image', 'inspect', '--format', '{{.Id}}', missing]), imageIdOf(missing));
    } finally {
      removeImages([missing]);
      ws.remove();
    }
  });
});
