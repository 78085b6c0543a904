/**
 * The dockerutils command names (build-image, run-image, transfer-image, genversion) from the
 * packed package, in plain folders without Nx: a run.cfg-era and a dockerutils.cfg-era project,
 * real builds and runs on a real engine, and the commands dry runs print.
 */
import { execFileSync, spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { BUSYBOX_IMAGE, ensureEngine, imageIdOf, removeImages } from './helpers/engine';
import { e2eEnv, output, workspaceTemplate } from './helpers/workspace';

const USER = userInfo().username;
const SECRET = 'cli-e2e-session-secret';

const LEGACY = {
  'docker/base/Dockerfile': `FROM ${BUSYBOX_IMAGE}\nWORKDIR /workdir\n`,
  'docker/dev/Dockerfile': 'ARG BASE_IMAGE\nFROM ${BASE_IMAGE}\nCMD ["sh"]\n',
  'docker/run.cfg': [
    '[dev]',
    'volumes = -v {project_root}:/workdir',
    "cmd = sh -c 'cat /workdir/hello.txt'",
    '',
    '[run_image]',
    'synthetic_images = shell',
    '',
    '[shell]',
    'name = dev',
    "cmd = sh -c 'echo shell runs dev'",
    '',
  ].join('\n'),
  'hello.txt': 'hello from the project folder\n',
  'setup.cfg': '[versioneer]\nVCS = git\nstyle = pep440\ntag_prefix = v\nversionfile_source = legacy/_version.py\n',
};

const MODERN = {
  'docker/base/Dockerfile': `FROM ${BUSYBOX_IMAGE}\n`,
  'docker/tool/Dockerfile': `FROM ${BUSYBOX_IMAGE}\n`,
  'docker/dockerutils.cfg': [
    '[base]',
    'pull_FROM_on_force = True',
    '[tool]',
    'pull_FROM_on_force = True',
    '[run_image]',
    'synthetic_images = nb, test',
    '[nb]',
    'name = dockconv-busybox',
    'tag = latest',
    'prefix = f',
    "cmd = sh -c 'echo nb via the command line'",
    '',
  ].join('\n'),
};

function writeFiles(root: string, files: Record<string, string>): void {
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
}

describe('the dockerutils commands in plain folders', () => {
  let bin = '';
  let parent = '';
  let legacy = '';
  let modern = '';
  let toolkit = '';
  const made = [`legacy_runcfg-base:${USER}`, `legacy_runcfg-dev:${USER}`, 'modern-proj-base:clie2e', 'modern-proj-tool:clie2e'];

  before(() => {
    ensureEngine();
    bin = join(workspaceTemplate(), 'node_modules/.bin');
    parent = mkdtempSync(join(tmpdir(), 'dockconv-cli-'));
    legacy = join(parent, 'Legacy_RunCfg');
    modern = join(parent, 'Modern-Proj');
    writeFiles(legacy, LEGACY);
    writeFiles(modern, MODERN);
    const git = (args: string[]) => execFileSync('git', args, { cwd: legacy, env: e2eEnv(), stdio: 'ignore' });
    git(['init', '-q', '-b', 'main']);
    git(['add', '-A']);
    git(['commit', '-qm', 'initial']);
    git(['tag', 'v1.2.3']);
    toolkit = join(parent, 'toolkit');
    writeFiles(toolkit, { 'nvidia-container-cli': '#!/bin/sh\nexit 0\n' });
    chmodSync(join(toolkit, 'nvidia-container-cli'), 0o755);
  });
  after(() => {
    removeImages(made);
    rmSync(parent, { recursive: true, force: true });
  });

  function cli(cwd: string, command: string, args: string[], env: NodeJS.ProcessEnv = {}): SpawnSyncReturns<string> {
    return spawnSync(join(bin, command), args, { cwd, encoding: 'utf8', env: e2eEnv({ DOCKCONV_TAG: '', ...env }), input: '' });
  }
  const runLine = (text: string) => /^\$ docker run .*$/m.exec(text)?.[0] ?? `no docker run line in:\n${text}`;

  describe('a run.cfg-era project', () => {
    it('build-image dev builds the base it derives from, then dev, named after the folder', () => {
      const result = cli(legacy, 'build-image', ['dev']);
      assert.equal(result.status, 0, output(result));
      assert.match(output(result), new RegExp(`docker build .*-t legacy_runcfg-base:${USER} `));
      assert.match(output(result), new RegExp(`docker build .*-t legacy_runcfg-dev:${USER} `));
      assert.ok(imageIdOf(`legacy_runcfg-dev:${USER}`));
    });

    it('run-image dev runs its section: the project mounted, its cmd (a real run)', () => {
      const result = cli(legacy, 'run-image', ['dev']);
      assert.equal(result.status, 0, output(result));
      assert.match(runLine(output(result)), new RegExp(`--init --rm -v ${legacy}:/workdir legacy_runcfg-dev:${USER} sh -c 'cat /workdir/hello.txt'$`));
      assert.match(output(result), /^hello from the project folder$/m);
    });

    it('run-image shell runs the synthetic image with its own section', () => {
      const result = cli(legacy, 'run-image', ['shell']);
      assert.equal(result.status, 0, output(result));
      assert.match(output(result), /^shell runs dev$/m);
    });

    it('run-image -g adds CPU_GPU_ENV=/gpu-env here; -p drops --init, -k keeps the container detached', () => {
      const gpu = cli(legacy, 'run-image', ['-g', 'dev', '--dryrun'], { PATH: `${toolkit}:${process.env['PATH'] ?? ''}` });
      assert.equal(gpu.status, 0, output(gpu));
      assert.match(runLine(output(gpu)), / --init --rm -e CPU_GPU_ENV=\/gpu-env --gpus all -v /);
      const pre = cli(legacy, 'run-image', ['-p', '-k', 'dev', '--dryrun']);
      assert.equal(pre.status, 0, output(pre));
      assert.match(runLine(output(pre)), /^\$ docker run --name \S+ -d -v /);
    });

    it('genversion writes _version.py.bld from git and the versioneer settings', () => {
      const result = cli(legacy, 'genversion', []);
      assert.equal(result.status, 0, output(result));
      assert.match(readFileSync(join(legacy, '_version.py.bld'), 'utf8'), /"version": "1\.2\.3"/);
    });

    it('mistakes: an unknown image is a usage error (2); a folder without docker/ one clear error (1)', () => {
      const unknown = cli(legacy, 'run-image', ['nope']);
      assert.equal(unknown.status, 2);
      assert.match(output(unknown), /run-image: error: argument image: invalid choice: 'nope' \(choose from 'base', 'dev', 'shell'\)/);
      const nowhere = cli(parent, 'build-image', ['dev']);
      assert.equal(nowhere.status, 1);
      assert.match(output(nowhere), new RegExp(`^error: no docker/ folder in ${parent} `, 'm'));
      const help = cli(legacy, 'build-image', ['-h']);
      assert.equal(help.status, 0);
      assert.match(help.stdout, /-f, --force_build_base/);
    });
  });

  describe('a dockerutils.cfg-era project', () => {
    it('build-image -f tool rebuilds the base first, each with --pull as pull_FROM_on_force says', () => {
      const result = cli(modern, 'build-image', ['-f', 'tool', '--dryrun']);
      const out = output(result);
      assert.equal(result.status, 0, out);
      // Where the label flags go depends on the builder (BuildKit: flags; legacy: a LABEL line).
      const lines = out.split('\n');
      const base = lines.findIndex((l) => l.includes(`-t modern-proj-base:${USER} `) && / --no-cache /.test(l) && / --pull /.test(l));
      const tool = lines.findIndex((l) => l.includes(`-t modern-proj-tool:${USER} `) && / --pull /.test(l));
      assert.ok(base >= 0 && tool > base, out);
    });

    it('build-image all -t builds every image under that tag; clean removes them', () => {
      const built = cli(modern, 'build-image', ['all', '-t', 'clie2e']);
      assert.equal(built.status, 0, output(built));
      assert.ok(imageIdOf('modern-proj-base:clie2e') && imageIdOf('modern-proj-tool:clie2e'));
      const cleaned = cli(modern, 'build-image', ['clean', '-t', 'clie2e']);
      assert.equal(cleaned.status, 0, output(cleaned));
      assert.match(output(cleaned), /\$ docker rmi modern-proj-tool:clie2e/);
      assert.equal(imageIdOf('modern-proj-tool:clie2e'), undefined);
    });

    it('a configuration-only image in synthetic_images (prefix = f) runs, with the host AWS credentials as -e NAME', () => {
      const env = { AWS_SESSION_TOKEN: SECRET };
      const result = cli(modern, 'run-image', ['nb'], env);
      assert.equal(result.status, 0, output(result));
      const line = runLine(output(result));
      assert.match(line, / -e AWS_SESSION_TOKEN dockconv-busybox:latest sh -c 'echo nb via the command line'$/);
      assert.match(output(result), /^nb via the command line$/m);
      const seen = cli(modern, 'run-image', ['nb', '-c', 'env'], env);
      assert.match(output(seen), new RegExp(`^AWS_SESSION_TOKEN=${SECRET}$`, 'm'));
      assert.doesNotMatch(runLine(output(seen)), new RegExp(SECRET));
      const off = cli(modern, 'run-image', ['nb', '-c', 'env', '--no-aws-env'], env);
      assert.doesNotMatch(output(off), new RegExp(SECRET));
    });

    it('a synthetic image without a section runs <project>-<name>:<user>', () => {
      const result = cli(modern, 'run-image', ['test', '--dryrun']);
      assert.equal(result.status, 0, output(result));
      assert.match(runLine(output(result)), new RegExp(` modern-proj-test:${USER}$`));
    });

    it('transfer-image takes an image and a destination host; --dryrun prints the plan', () => {
      const result = cli(modern, 'transfer-image', [BUSYBOX_IMAGE, process.env['DOCKER_HOST'] ?? 'unix:///var/run/docker.sock', '--dryrun']);
      assert.equal(result.status, 0, output(result));
      assert.match(output(result), /dockconv-busybox/);
      assert.equal(existsSync(join(modern, '_version.py.bld')), false, 'no versioneer settings: nothing written');
    });
  });
});
