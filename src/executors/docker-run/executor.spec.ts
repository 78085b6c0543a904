/**
 * The executor in dry-run mode against the example workspace (examples/demo): every run
 * configuration of apps/demo/docker/run.cfg prints exactly the expected `docker run` line.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { ExecutorContext } from '@nx/devkit';
import { currentUser } from '../../lib/model/naming';
import dockerRunExecutor, { normaliseOptions } from './executor';
import type { DockerRunExecutorSchema } from './schema';

const DEMO = join(__dirname, '..', '..', '..', 'examples', 'demo');

const context: ExecutorContext = {
  root: DEMO,
  cwd: DEMO,
  isVerbose: false,
  projectName: 'demo',
  projectsConfigurations: { version: 2, projects: { demo: { root: 'apps/demo' }, tools: { root: 'libs/tools' } } },
  nxJsonConfiguration: { plugins: ['@dockconv/nx'] },
  projectGraph: { nodes: {}, dependencies: {} },
};

/** Runs the executor, returning what it printed with the container name's timestamp masked. */
async function dryRun(options: Partial<DockerRunExecutorSchema> & { image: string }): Promise<{ success: boolean; printed: string }> {
  const lines: string[] = [];
  const write = process.stdout.write.bind(process.stdout);
  // Only the printed command lines are taken; the test runner's own output passes through.
  process.stdout.write = ((chunk: string | Uint8Array, ...rest: never[]) => {
    if (typeof chunk === 'string' && chunk.startsWith('$ ')) lines.push(chunk);
    else return write(chunk, ...rest);
    return true;
  }) as typeof process.stdout.write;
  try {
    const { success } = await dockerRunExecutor({ dryRun: true, ...options }, context);
    return { success, printed: lines.join('').replace(/_\d{8}-\d{6}\.\d{3}/g, '_<time>') };
  } finally {
    process.stdout.write = write;
  }
}

describe('docker-run executor: dry runs of the example workspace', () => {
  const saved = { tag: process.env['DOCKCONV_TAG'], host: process.env['DOCKER_HOST'] };
  before(() => {
    process.env['DOCKCONV_TAG'] = 't';
  });
  after(() => {
    if (saved.tag === undefined) delete process.env['DOCKCONV_TAG'];
    else process.env['DOCKCONV_TAG'] = saved.tag;
  });

  const user = currentUser();
  const who = user.replace(/[^a-zA-Z0-9_.-]+/g, '-').replace(/^[^a-zA-Z0-9]+/, '') || 'user';
  const expected: Record<string, string> = {
    app: `$ docker run --name ${who}_app_<time> --init --rm -p 8080:8080 demo-app:t`,
    base: `$ docker run --name ${who}_base_<time> --init --rm demo-base:t`,
    // interactive = -it: no -i/-t here since the test's stdin is no terminal.
    dev:
      `$ docker run --name ${who}_dev_<time> --init --rm -e DEMO_USER=${user} -e 'GREETING=hello from run.cfg' ` +
      `-v ${join(DEMO, 'apps/demo')}:/app demo-dev:t`,
    shell: `$ docker run --name ${who}_shell_<time> --init --rm demo-dev:t sh -c 'echo shell on $HOSTNAME'`,
  };
  for (const [image, line] of Object.entries(expected)) {
    it(`${image}: ${line}`, async () => {
      const { success, printed } = await dryRun({ image });
      assert.equal(success, true, printed);
      assert.ok(printed.split('\n').includes(line), printed);
    });
  }

  it('options on top of the dev configuration', async () => {
    const { printed } = await dryRun({ image: 'dev', command: 'ls -la', env: ['A=1'], network: 'lab', args: '--memory 1g', keep: true });
    assert.ok(
      printed.includes(
        `$ docker run --name ${who}_dev_<time> --init -d -i -t -e DEMO_USER=${user} -e 'GREETING=hello from run.cfg' -e A=1 ` +
          `--network lab -v ${join(DEMO, 'apps/demo')}:/app -m 1g demo-dev:t ls -la`,
      ),
      printed,
    );
  });

  it('an unknown image fails with one message', async () => {
    const { success } = await dryRun({ image: 'nope' });
    assert.equal(success, false);
  });
});

describe('normaliseOptions', () => {
  it('accepts a single env string as Nx passes one --env', () => {
    assert.deepEqual(normaliseOptions({ image: 'dev', env: 'A=1' }).env, ['A=1']);
  });
  it('needs an image', () => assert.throws(() => normaliseOptions({ image: '' }), /docker-run needs an image/));
});
