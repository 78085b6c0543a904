import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DockconvError } from '../errors';
import type { ImageDef } from '../model/project';
import { parseConfig } from '../model/run-config';
import { formatCommand } from '../text/shown';
import { buildRunCommand, gpuRequest, type RunFacts, type RunRequest } from './command';

const FILE = 'apps/demo/docker/run.cfg';
const NAME = 'alice_dev_20250102-030405.006';

function facts(cfg: string, over: Partial<RunFacts> = {}, type = 'dev'): RunFacts {
  const doc = parseConfig(cfg, FILE);
  const section = doc.sections.get(type);
  const image: ImageDef = {
    project: 'demo',
    projectRoot: 'apps/demo',
    type,
    kind: 'build',
    name: { repository: 'demo-dev', tag: 'alice', ref: 'demo-dev:alice' },
    ...(section ? { section } : {}),
  };
  return {
    image,
    doc,
    remote: false,
    stdinIsTTY: false,
    user: 'alice',
    now: new Date(2025, 0, 2, 3, 4, 5, 6),
    env: { TOKEN: 's3cret', DATA: '/data' },
    replacements: { user: 'alice', project_root: '/w/apps/demo', workdir: '/app', home: '/home/alice' },
    ...over,
  };
}

function line(cfg: string, req: Partial<RunRequest> = {}, over: Partial<RunFacts> = {}): string {
  return formatCommand(buildRunCommand({ image: 'dev', ...req }, facts(cfg, over)).argv);
}

function failure(cfg: string, req: Partial<RunRequest> = {}, over: Partial<RunFacts> = {}): string {
  try {
    line(cfg, req, over);
  } catch (err) {
    return (err as DockconvError).describe();
  }
  return 'no error';
}

const ALL_KEYS = `[dev]
environment = -e A=1 -e TOKEN=$TOKEN
env = dev_env
interactive = -it
gpu = --gpus device=0
network = --network net1 --network-alias api
volumes = -v {project_root}:{workdir}
    -v {home}/.cache:/root/.cache
ports = -p 8080:80
cmd = sh -c 'echo $HOSTNAME'
args = --shm-size 1g

[dev_env]
GREETING = hello world
FROM_HOST = \${DATA}/x
`;

describe('buildRunCommand', () => {
  it('an image without a run.cfg section: name, --init, --rm, the image', () => {
    assert.equal(line(''), `run --name ${NAME} --init --rm demo-dev:alice`);
  });

  it('every run key, in a fixed order, $VARs shown unexpanded', () => {
    assert.equal(
      line(ALL_KEYS),
      `run --name ${NAME} --init --rm -e A=1 -e TOKEN=\${TOKEN} -e 'GREETING=hello world' -e FROM_HOST=\${DATA}/x ` +
        '--gpus device=0 --network net1 --network-alias api -v /w/apps/demo:/app -v /home/alice/.cache:/root/.cache ' +
        `-p 8080:80 --shm-size 1g demo-dev:alice sh -c 'echo $HOSTNAME'`,
    );
  });

  it('runs with the expanded values', () => {
    const argv = buildRunCommand({ image: 'dev' }, facts(ALL_KEYS)).argv.map((a) => (typeof a === 'string' ? a : a.value));
    assert.ok(argv.includes('TOKEN=s3cret') && argv.includes('FROM_HOST=/data/x'));
    assert.deepEqual(argv.slice(-3), ['sh', '-c', 'echo $HOSTNAME']);
  });

  describe('interactive', () => {
    const cfg = '[dev]\ninteractive = -it\n';
    it('-i -t when stdin is a terminal', () => assert.equal(line(cfg, {}, { stdinIsTTY: true }), `run --name ${NAME} --init --rm -i -t demo-dev:alice`));
    it('neither when it is not (CI)', () => assert.equal(line(cfg), `run --name ${NAME} --init --rm demo-dev:alice`));
    it('keep: detached, not removed, -i -t kept (a shell stays alive)', () => {
      assert.equal(line(cfg, { keep: true }), `run --name ${NAME} --init -d -i -t demo-dev:alice`);
    });
    it('interactive = -d is honoured', () => {
      const command = buildRunCommand({ image: 'dev' }, facts('[dev]\ninteractive = -d\n'));
      assert.equal(formatCommand(command.argv), `run --name ${NAME} --init --rm -d demo-dev:alice`);
      assert.equal(command.detached, true);
    });
    it('-i alone', () => assert.equal(line('[dev]\ninteractive = --interactive\n', {}, { stdinIsTTY: true }), `run --name ${NAME} --init --rm -i demo-dev:alice`));
  });

  describe('<key>_docked on a remote engine', () => {
    const cfg = '[dev]\nvolumes = -v {project_root}:/app\nvolumes_docked = -v /srv/demo:/app\nports = -p 80:80\n';
    it('local: <key>', () => assert.match(line(cfg), / -v \/w\/apps\/demo:\/app -p 80:80 /));
    it('remote: <key>_docked where given, <key> elsewhere', () => assert.match(line(cfg, {}, { remote: true }), / -v \/srv\/demo:\/app -p 80:80 /));
    it('errors name the _docked key', () => {
      assert.equal(failure('[dev]\nports_docked = -v a:b\n', {}, { remote: true }), `${FILE}:2: '-v' does not belong in ports_docked (put it in volumes or args)`);
    });
  });

  describe('options over run.cfg', () => {
    it('command replaces cmd (shell-like words, no shell)', () => {
      assert.match(line(ALL_KEYS, { command: `python -c 'print(1); import os'` }), / demo-dev:alice python -c 'print\(1\); import os'$/);
    });
    it('network replaces run.cfg network entirely', () => {
      const out = line(ALL_KEYS, { network: 'other' });
      assert.match(out, / --network other -v /);
      assert.doesNotMatch(out, /net1|network-alias/);
    });
    it('env comes after run.cfg env (the last one of a name wins in docker), passed literally', () => {
      assert.match(line(ALL_KEYS, { env: ['A=2', 'X=$(id)'] }), / -e FROM_HOST=\$\{DATA\}\/x -e A=2 -e 'X=\$\(id\)' --gpus/);
    });
    it('args come after run.cfg args', () => assert.match(line(ALL_KEYS, { args: '--memory 2g -v /x:/y' }), / --shm-size 1g -m 2g -v \/x:\/y demo-dev:alice/));
    it('gpu false drops run.cfg gpu', () => assert.doesNotMatch(line(ALL_KEYS, { gpu: false }), /--gpus/));
    it('gpu true keeps a verbatim run.cfg gpu', () => assert.match(line(ALL_KEYS, { gpu: true }), / --gpus device=0 /));
    it('gpu true without run.cfg gpu uses the detected flags', () => {
      assert.match(line('[dev]\n', { gpu: true }, { detectedGpu: ['--runtime=nvidia', '-e', 'NVIDIA_VISIBLE_DEVICES=all'] }), / --rm --runtime=nvidia -e NVIDIA_VISIBLE_DEVICES=all demo-dev:alice$/);
    });
  });

  describe('network', () => {
    it('a bare name means --network <name>', () => assert.match(line('[dev]\nnetwork = $NET\n', {}, { env: { NET: 'lab' } }), / --network \$\{NET\} demo-dev/));
  });

  describe('env sections', () => {
    it('leave out [DEFAULT] keys (they are %(…)s helpers)', () => {
      const cfg = '[DEFAULT]\nroot = /data\n[dev]\nenv = e\n[e]\nDATA = %(root)s/in\n';
      assert.match(line(cfg), / --rm -e DATA=\/data\/in demo-dev/);
    });
    it('a missing one is an error at the env line', () => {
      assert.equal(failure('[dev]\n\nenv = nope\n'), `${FILE}:3: env names section [nope], which run.cfg does not have`);
    });
    it('an unset $VAR names the line of its key', () => {
      assert.equal(failure('[dev]\nenv = e\n[e]\nA = 1\nB = $NOPE\n'), `${FILE}:5: environment variable $NOPE is not set (set it, or write \${NOPE:-default})`);
    });
  });

  it('an unknown replacement variable is an error with file and line in every key, _docked ones too', () => {
    const hint = '{{ and }} give literal braces';
    assert.equal(failure('[dev]\nvolumes = -v {projectroot}:/x\n'), `${FILE}:2: unknown replacement variable {projectroot} in '{projectroot}:/x' (did you mean {project_root}?; ${hint}: {{projectroot}})`);
    assert.match(failure("[dev]\n\ncmd = sh -c 'echo {usr}'\n"), new RegExp(`^${FILE}:3: unknown replacement variable \\{usr\\}.*did you mean \\{user\\}\\?`));
    assert.match(failure('[dev]\nenvironment = -e WHO={nosuch}\n'), new RegExp(`^${FILE}:2: unknown replacement variable \\{nosuch\\}`));
    assert.match(failure('[dev]\nenv = e\n[e]\nWHO = {nosuch}\n'), new RegExp(`^${FILE}:4: unknown replacement variable \\{nosuch\\}`));
    assert.match(failure('[dev]\nargs_docked = --label x={nosuch}\n', {}, { remote: true }), new RegExp(`^${FILE}:2: unknown replacement variable \\{nosuch\\}`));
  });
  it('a known {name} is replaced inside single quotes; other braces go through', () => {
    assert.match(line("[dev]\ncmd = sh -c 'cat {workdir}/a' awk '{print $1}' {{y}}\n"), / demo-dev:alice sh -c 'cat \/app\/a' awk '\{print \$1\}' '\{y\}'$/);
  });

  it('{root} is the project root, as run.cfg files of the first dockerutils era wrote it', () => {
    assert.equal(line('[dev]\nvolumes = -v {root}:/x\n', {}, { replacements: { root: '/w/apps/demo' } }), `run --name ${NAME} --init --rm -v /w/apps/demo:/x demo-dev:alice`);
  });

  it('{workdir} without a known value is an error naming it', () => {
    assert.match(failure('[dev]\nvolumes = -v .:{workdir}\n', {}, { replacements: {} }), /run\.cfg:2: replacement variable \{workdir\} has no value here/);
  });

  it('a cmd with an unterminated quote is an error at its line', () => {
    assert.equal(failure("[dev]\ncmd = sh -c 'oops\n"), `${FILE}:2: unterminated single quote in 'sh -c 'oops'`);
  });

  it('an empty or nameless env option is an error', () => assert.match(failure('', { env: ['=x'] }), /env option '=x' is not NAME=value or NAME/));
});

describe('gpuRequest', () => {
  const image = (cfg: string): ImageDef => facts(cfg).image;
  const kind = (cfg: string, gpu?: boolean, remote = false): string => gpuRequest(gpu === undefined ? { image: 'dev' } : { image: 'dev', gpu }, image(cfg), remote, FILE).kind;
  it('nothing asked: none', () => assert.equal(kind('[dev]\n'), 'none'));
  it('gpu = yes: detect', () => assert.equal(kind('[dev]\ngpu = yes\n'), 'detect'));
  it('gpu = off: none; --gpu overrides it', () => {
    assert.equal(kind('[dev]\ngpu = off\n'), 'none');
    assert.equal(kind('[dev]\ngpu = off\n', true), 'detect');
  });
  it('gpu = <flags>: verbatim; --no-gpu drops it', () => {
    assert.equal(kind('[dev]\ngpu = --gpus all\n'), 'verbatim');
    assert.equal(kind('[dev]\ngpu = --gpus all\n', false), 'none');
  });
  it('gpu_docked on a remote engine', () => assert.equal(kind('[dev]\ngpu = no\ngpu_docked = true\n', undefined, true), 'detect'));
  it('detection that did not happen is an internal error, not a silent CPU run', () => {
    assert.throws(() => line('[dev]\ngpu = yes\n'), /GPU flags were not detected/);
  });
});

describe('AWS credentials, passed as dockerutils passed them', () => {
  const AWS = { AWS_ACCESS_KEY_ID: 'AKIA-secret', AWS_SECRET_ACCESS_KEY: 'very-secret', AWS_SESSION_TOKEN: 'tok', AWS_REGION: '' };
  const withAws = (over: Partial<RunFacts> = {}): Partial<RunFacts> => ({ env: { ...AWS }, ...over });

  it('each one set on the host becomes -e NAME, before run.cfg environment; no value is printed or in the argv', () => {
    const cmd = buildRunCommand({ image: 'dev' }, facts('[dev]\nenvironment = -e AWS_REGION=eu-west-1\n', withAws()));
    const out = formatCommand(cmd.argv);
    assert.equal(out, `run --name ${NAME} --init --rm -e AWS_ACCESS_KEY_ID -e AWS_SECRET_ACCESS_KEY -e AWS_SESSION_TOKEN -e AWS_REGION=eu-west-1 demo-dev:alice`);
    assert.doesNotMatch(JSON.stringify(cmd.argv), /secret|tok\b/);
  });
  it('not to a remote engine', () => {
    assert.equal(line('[dev]\n', {}, withAws({ remote: true })), `run --name ${NAME} --init --rm demo-dev:alice`);
  });
  it('turned off by the awsEnv option or run.cfg aws_env = false', () => {
    assert.equal(line('[dev]\n', { awsEnv: false }, withAws()), `run --name ${NAME} --init --rm demo-dev:alice`);
    assert.equal(line('[dev]\naws_env = false\n', {}, withAws()), `run --name ${NAME} --init --rm demo-dev:alice`);
  });
});

describe('CPU_GPU_ENV for run.cfg-era projects', () => {
  const gpu = { detectedGpu: ['--gpus', 'all'], gpuEnvironment: true };
  it('a GPU asked for as a switch sets CPU_GPU_ENV=/gpu-env', () => {
    assert.equal(line('[dev]\n', { gpu: true }, gpu), `run --name ${NAME} --init --rm -e CPU_GPU_ENV=/gpu-env --gpus all demo-dev:alice`);
    assert.equal(line('[dev]\ngpu = yes\n', {}, gpu), `run --name ${NAME} --init --rm -e CPU_GPU_ENV=/gpu-env --gpus all demo-dev:alice`);
  });
  it('not for verbatim gpu flags, without a GPU, or in a dockerutils.cfg-era project', () => {
    assert.equal(line('[dev]\ngpu = --gpus all\n', {}, gpu), `run --name ${NAME} --init --rm --gpus all demo-dev:alice`);
    assert.equal(line('[dev]\n', {}, gpu), `run --name ${NAME} --init --rm demo-dev:alice`);
    assert.equal(line('[dev]\n', { gpu: true }, { ...gpu, gpuEnvironment: false }), `run --name ${NAME} --init --rm --gpus all demo-dev:alice`);
  });
});
