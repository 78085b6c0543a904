/**
 * docker-run against a real engine, through real `nx run`: what a container sees from inside
 * (environment from every source, the project mounted at {workdir}, the network, the command),
 * ports from the host, exit codes, a shell driven through a pseudo-terminal, Ctrl-C, values that
 * must never reach a shell, synthetic and configuration-only images, and bad input.
 */
import { spawn, type SpawnSyncReturns } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { BUSYBOX_IMAGE, createNetwork, docker, ensureEngine, removeImages, removeNetwork } from './helpers/engine';
import { createWorkspace, e2eEnv, output, projectJson, type TestWorkspace } from './helpers/workspace';

const TAG = 'e2e-run';
const NETWORK = `dockconv-e2e-run-${process.pid}`;
const HELPER = `dockconv-e2e-helper-${process.pid}`;
const CANARY = join(tmpdir(), `dockconv-e2e-canary-${process.pid}`);

const RUN_CFG = `# run configurations of the e2e project
[dev]
environment = -e FROM_ENVIRONMENT=env-value -e "SPACED=two  words" -e FROM_HOST=$E2E_SECRET
env = dev_env
volumes = -v {project_root}/data:{workdir}/data:ro
network = $E2E_NETWORK
interactive = -it
cmd = sh -c 'echo cmd-from-run-cfg'

[dev_env]
FROM_SECTION = section value
TRICKY = a; rm -rf /tmp/x $(touch ${CANARY}) \`id\`

[web]
ports = -p 127.0.0.1:\${E2E_PORT}:8080

[run_image]
synthetic_images = shell, broken, cat

[cat]
name = dev
volumes = -v {project_root}/data:'{workdir}/data':ro
env = dev_env
cmd = sh -c 'echo "W={workdir} S=$FROM_SECTION"; cat {workdir}/data/file.txt'

[broken]
name = dev
ports = -p 8080:80
    -v /etc:/host-etc

[shell]
name = dev
cmd = sh -c 'echo synthetic sees $FROM_ENVIRONMENT'
environment = -e FROM_ENVIRONMENT=synthetic-value

[busybox]
name = dockconv-busybox
tag = latest
prefix = false
cmd = echo config-only image runs
`;

const files = {
  'apps/p/project.json': projectJson('p'),
  'apps/p/data/file.txt': 'project file seen through the bind mount\n',
  'apps/p/docker/base/Dockerfile': `FROM ${BUSYBOX_IMAGE}\nWORKDIR /srv/app\n`,
  // No WORKDIR here: {workdir} comes from the base image's Dockerfile.
  'apps/p/docker/dev/Dockerfile': 'ARG BASE_IMAGE\nFROM ${BASE_IMAGE}\nCMD ["sh"]\n',
  'apps/p/docker/web/Dockerfile': `FROM ${BUSYBOX_IMAGE}\nRUN mkdir -p /www && echo hello from httpd > /www/index.html\nCMD ["httpd", "-f", "-p", "8080", "-h", "/www"]\n`,
  'apps/p/docker/run.cfg': RUN_CFG,
};

const BUILT_TAG = 'e2e-run-built';
const images = ['base', 'dev', 'web'].flatMap((i) => [`p-${i}:${TAG}`, `p-${i}:${BUILT_TAG}`]);
/** Every container name the runs printed, removed at the end whatever happened. */
const started = new Set<string>();

function nxRun(ws: TestWorkspace, args: string[], env: NodeJS.ProcessEnv = {}): SpawnSyncReturns<string> {
  const result = ws.nx(['run', ...args], { env: runEnv(env) });
  for (const m of output(result).matchAll(/--name (\S+)/g)) started.add(m[1] ?? '');
  return result;
}

function runEnv(env: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return { DOCKCONV_TAG: TAG, E2E_SECRET: 'secret-from-host', E2E_NETWORK: NETWORK, E2E_PORT: '1', ...env };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

async function poll<T>(what: string, attempt: () => Promise<T | undefined>, seconds = 20): Promise<T> {
  const deadline = Date.now() + seconds * 1000;
  while (Date.now() < deadline) {
    const value = await attempt().catch(() => undefined);
    if (value !== undefined) return value;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** A process that has already ended needs no signal. */
function signalPid(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ESRCH') throw err;
  }
}

/** Live processes with their argv and parent, from /proc. */
function processes(): { pid: number; ppid: number; argv: string[] }[] {
  const table = [];
  for (const pid of readdirSync('/proc').filter((entry) => /^\d+$/.test(entry))) {
    try {
      const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
      const ppid = Number(/^PPid:\s+(\d+)$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]);
      table.push({ pid: Number(pid), ppid, argv });
    } catch {
      // the process ended while the table was read
    }
  }
  return table;
}

function childrenOf(parent: number): number[] {
  return processes().filter((p) => p.ppid === parent).map((p) => p.pid);
}

/** The process that started `docker run … --name <name>`: the Nx task running the executor. */
function runnerOf(name: string): number {
  const run = processes().find((p) => p.argv.includes('run') && p.argv.includes(name));
  if (!run) throw new Error(`no docker run process for ${name}`);
  return run.ppid;
}

/** Helpers and networks of earlier runs that were killed before their cleanup (their pid is gone). */
function removeOrphans(): void {
  const alive = (pid: number): boolean => {
    try {
      process.kill(pid, 0);
      return true;
    } catch {
      return false;
    }
  };
  const orphaned = (name: string): boolean => {
    const pid = Number(/^dockconv-e2e-(?:run|helper)-(\d+)$/.exec(name)?.[1] ?? NaN);
    return Number.isInteger(pid) && !alive(pid);
  };
  for (const name of docker(['ps', '-a', '--format', '{{.Names}}']).split('\n').filter(orphaned)) docker(['rm', '-f', name]);
  for (const name of docker(['network', 'ls', '--format', '{{.Name}}']).split('\n').filter(orphaned)) docker(['network', 'rm', name]);
}

describe('docker-run in a real Nx workspace', () => {
  let ws: TestWorkspace;
  before(() => {
    ensureEngine();
    removeOrphans();
    ws = createWorkspace(files);
    const root = join(ws.root, 'apps/p');
    docker(['build', '-q', '-t', `p-base:${TAG}`, '-f', join(root, 'docker/base/Dockerfile'), root]);
    docker(['build', '-q', '--build-arg', `BASE_IMAGE=p-base:${TAG}`, '-t', `p-dev:${TAG}`, '-f', join(root, 'docker/dev/Dockerfile'), root]);
    docker(['build', '-q', '-t', `p-web:${TAG}`, '-f', join(root, 'docker/web/Dockerfile'), root]);
    createNetwork(NETWORK);
    docker(['run', '-d', '--rm', '--name', HELPER, '--network', NETWORK, `p-web:${TAG}`]);
  });
  after(() => {
    for (const name of [...started, HELPER]) {
      try {
        docker(['rm', '-f', name]);
      } catch {
        // already removed (--rm)
      }
    }
    removeNetwork(NETWORK);
    removeImages(images);
    rmSync(CANARY, { force: true });
    ws.remove();
  });

  it('the container sees environment, env section, --env, the project at {workdir}, its network and the overridden command', () => {
    const script = [
      'echo E1=$FROM_ENVIRONMENT E2=$FROM_SECTION E3=$FROM_OPTION E4=$FROM_HOST',
      'echo "S=$SPACED"',
      'echo PWD=$(pwd)',
      'cat data/file.txt',
      'wget -qO- http://' + HELPER + ':8080/',
    ].join('; ');
    const result = nxRun(ws, ['p:docker-run:dev', '--env=FROM_OPTION=option-value', `--command=sh -c '${script}'`]);
    const out = output(result);
    assert.equal(result.status, 0, out);
    assert.match(out, /E1=env-value E2=section value E3=option-value E4=secret-from-host/);
    assert.match(out, /S=two {2}words/);
    assert.match(out, /PWD=\/srv\/app/);
    assert.match(out, /project file seen through the bind mount/);
    assert.match(out, /hello from httpd/, 'the container reached the helper by name on the run.cfg network');
    assert.doesNotMatch(out, /cmd-from-run-cfg/, 'the command option replaces cmd');
    assert.doesNotMatch(out, /docker run .* -[it] /, 'interactive = -it gives no -i/-t when stdin is no terminal (CI)');
    // The printed command keeps $E2E_SECRET unexpanded and the mount expanded.
    assert.match(out, /-e 'FROM_HOST=\$\{E2E_SECRET\}'|-e "FROM_HOST=\$\{E2E_SECRET\}"|-e FROM_HOST=\$\{E2E_SECRET\}/);
    assert.doesNotMatch(out, /docker run.*secret-from-host/);
    assert.match(out, new RegExp(`-v ${join(ws.root, 'apps/p')}/data:/srv/app/data:ro`));
    assert.match(out, /--network \$\{E2E_NETWORK\}/, 'the printed command shows the $VAR, not its value');
  });

  it("run.cfg's cmd runs when no command is given", () => {
    const result = nxRun(ws, ['p:docker-run:dev']);
    assert.equal(result.status, 0, output(result));
    assert.match(output(result), /cmd-from-run-cfg/);
  });

  it('a container exiting 7 fails the task and reports 7', () => {
    const result = nxRun(ws, ['p:docker-run:dev', "--command=sh -c 'exit 7'"]);
    assert.notEqual(result.status, 0);
    assert.match(output(result), /exited with code 7/);
  });

  it('a published port answers from the host (kept, detached container)', async () => {
    const port = await freePort();
    const result = nxRun(ws, ['p:docker-run:web', '--keep'], { E2E_PORT: String(port) });
    const out = output(result);
    assert.equal(result.status, 0, out);
    assert.match(out, /-p 127\.0\.0\.1:\$\{E2E_PORT\}:8080/);
    assert.doesNotMatch(out, /--rm/, 'a kept container is not removed on exit');
    const body = await poll('httpd', async () => {
      const response = await fetch(`http://127.0.0.1:${port}/`);
      return response.ok ? response.text() : undefined;
    });
    assert.equal(body, 'hello from httpd\n');
  });

  it('values with ; rm -rf, $(…) and backquotes reach the container literally', () => {
    const evil = 'x; rm -rf /tmp/y $(touch ' + CANARY + ') `id`';
    const result = nxRun(ws, ['p:docker-run:dev', `--env=EVIL=${evil}`, `--command=sh -c 'echo "$EVIL"; echo "$TRICKY"'`]);
    const out = output(result);
    assert.equal(result.status, 0, out);
    assert.ok(out.includes(`\n${evil}\n`), out);
    assert.ok(out.includes(`a; rm -rf /tmp/x $(touch ${CANARY}) \`id\``), out);
    assert.ok(!existsSync(CANARY), 'nothing was run by a shell on the host');
  });

  it("a {name} inside single quotes reaches the container replaced, from run.cfg and from --command", () => {
    const fromCfg = nxRun(ws, ['p:docker-run:cat']);
    assert.equal(fromCfg.status, 0, output(fromCfg));
    assert.match(output(fromCfg), /\nW=\/srv\/app S=section value\nproject file seen through the bind mount\n/);
    const fromOption = nxRun(ws, ['p:docker-run:dev', "--command=sh -c 'cat {workdir}/data/file.txt; echo \"{{workdir}}\"'"]);
    assert.equal(fromOption.status, 0, output(fromOption));
    assert.match(output(fromOption), /\nproject file seen through the bind mount\n\{workdir\}\n/);
  });

  it('a synthetic image runs the image it names with its own configuration', () => {
    const result = nxRun(ws, ['p:docker-run:shell']);
    assert.equal(result.status, 0, output(result));
    assert.match(output(result), /synthetic sees synthetic-value/);
    assert.match(output(result), new RegExp(`p-dev:${TAG}`));
  });

  it('a configuration-only image runs the image it names', () => {
    // DOCKCONV_TAG would override the section's tag too.
    const result = nxRun(ws, ['p:docker-run:busybox'], { DOCKCONV_TAG: '' });
    assert.equal(result.status, 0, output(result));
    assert.match(output(result), /config-only image runs/);
    assert.match(output(result), / dockconv-busybox:latest echo/);
  });

  it('--build builds a missing image (and the base it derives from) first, then runs it', () => {
    const result = nxRun(ws, ['p:docker-run:dev', '--build', '--command=echo built and ran'], { DOCKCONV_TAG: BUILT_TAG });
    const out = output(result);
    assert.equal(result.status, 0, out);
    assert.match(out, new RegExp(`docker build .*-t p-base:${BUILT_TAG}`));
    assert.match(out, new RegExp(`docker build .*-t p-dev:${BUILT_TAG}`));
    assert.match(out, /built and ran/);
  });

  it('an unknown image is one clear error', () => {
    const result = nxRun(ws, ['p:docker-run', '--image=nope']);
    assert.notEqual(result.status, 0);
    assert.match(output(result), /unknown image 'nope' in project p \(images: base, dev, web, busybox, shell, broken, cat\)/);
  });

  it('a flag in the wrong run.cfg key is an error with file and line; a misspelt option flag gets a suggestion', () => {
    const wrongKey = nxRun(ws, ['p:docker-run:broken']);
    assert.notEqual(wrongKey.status, 0);
    assert.match(output(wrongKey), /apps\/p\/docker\/run\.cfg:\d+: '-v' does not belong in ports \(put it in volumes or args\)/);
    const typo = nxRun(ws, ['p:docker-run:dev', '--args=--publishh 1:1']);
    assert.notEqual(typo.status, 0);
    assert.match(output(typo), /'--publishh' in the args option is not a docker run flag \(did you mean --publish\?\)/);
  });

  it('a missing image is a clear error naming the build command', () => {
    const result = nxRun(ws, ['p:docker-run:dev'], { DOCKCONV_TAG: 'never-built' });
    assert.notEqual(result.status, 0);
    assert.match(output(result), /image p-dev:never-built is not on the Docker engine \(build it with nx run p:docker-build:dev, or run with --build\)/);
  });

  it('an interactive shell works through a pseudo-terminal', async () => {
    const nx = join(ws.root, 'node_modules/.bin/nx');
    const child = spawn('script', ['-qec', `${nx} run p:docker-run:dev --command=sh`, '/dev/null'], {
      cwd: ws.root,
      env: e2eEnv(runEnv({ TERM: 'dumb' })),
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let seen = '';
    child.stdout.on('data', (d: Buffer) => (seen += d.toString()));
    child.stderr.on('data', (d: Buffer) => (seen += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    try {
      await poll('the shell prompt', async () => (/\/srv\/app # $/m.test(seen) ? true : undefined), 60);
      for (const m of seen.matchAll(/--name (\S+)/g)) started.add(m[1] ?? '');
      assert.match(seen, / -i -t /);
      child.stdin.write('echo typed-$((6*7))\r');
      await poll('the typed command', async () => (/typed-42/.test(seen) ? true : undefined));
      child.stdin.write('exit 3\r');
      const code = await Promise.race([exited, new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), 30000))]);
      assert.notEqual(code, 'timeout', seen);
      assert.match(seen, /exited with code 3/);
    } finally {
      child.kill('SIGKILL');
    }
  });

  it('Ctrl-C stops the container, even when Nx kills what the task starts on Ctrl-C', async () => {
    const nx = join(ws.root, 'node_modules/.bin/nx');
    // On Ctrl-C Nx kills the task's whole process tree. A `docker stop` child that the executor
    // starts then can die before it sends its request: that lost the container in CI, on a fast
    // machine. This docker starts `stop` a second late, so the kill below always wins that race.
    const slowStop = join(ws.root, 'docker-slow-stop');
    writeFileSync(slowStop, '#!/bin/sh\n[ "$1" = stop ] && sleep 1\nexec docker "$@"\n', { mode: 0o755 });
    // The container ignores SIGINT, so only the executor can end it (nx itself exits at once on
    // Ctrl-C, so what the task prints then is not seen).
    const child = spawn(nx, ['run', 'p:docker-run:dev', `--command=sh -c 'trap "" INT; sleep 600'`], {
      cwd: ws.root,
      env: e2eEnv(runEnv({ DOCKCONV_DOCKER: slowStop })),
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    let seen = '';
    child.stdout.on('data', (d: Buffer) => (seen += d.toString()));
    child.stderr.on('data', (d: Buffer) => (seen += d.toString()));
    const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
    const name = await poll('the container to start', async () => {
      const m = /--name (\S+)/.exec(seen);
      if (!m?.[1]) return undefined;
      started.add(m[1]);
      return docker(['ps', '-q', '--filter', `name=^${m[1]}$`]) ? m[1] : undefined;
    }, 60);
    const runner = runnerOf(name);
    const before = new Set(childrenOf(runner));
    signalPid(-(child.pid ?? 0), 'SIGINT'); // the group: nx and the task, as a terminal's Ctrl-C
    // Then kill every process the task starts, as Nx's tree kill does.
    const deadline = Date.now() + 3000;
    while (Date.now() < deadline) {
      for (const pid of childrenOf(runner)) if (!before.has(pid)) signalPid(pid, 'SIGKILL');
      await new Promise((r) => setImmediate(r));
    }
    await Promise.race([exited, new Promise((r) => setTimeout(r, 30000))]);
    await poll('the container to be gone', async () => (docker(['ps', '-aq', '--filter', `name=^${name}$`]) ? undefined : true));
  });
});
