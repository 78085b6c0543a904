import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseDockerfile } from '../model/dockerfile';
import { DockconvError } from '../errors';
import { formatCommand } from '../text/shown';
import { automaticBuildArgs, buildArgFlags, buildArgValues, mergeBuildArgs, parseBuildArgsConfig, parseBuildArgsOption } from './build-args';

const values = { PROJECT: 'shop', TAG: 'alice', BASE_IMAGE: 'shop-base:alice', VERSION: '1.2', GIT_COMMIT: 'abc' };
const where = { file: 'docker/run.cfg', line: 3 };

describe('automatic build args', () => {
  it('are passed only for the ARGs the Dockerfile declares', () => {
    const info = parseDockerfile('ARG BASE_IMAGE\nFROM ${BASE_IMAGE}\nARG VERSION=x\n', 'Dockerfile');
    assert.deepEqual(buildArgValues(automaticBuildArgs(info, values)), { BASE_IMAGE: 'shop-base:alice', VERSION: '1.2' });
  });
  it('leave out values nobody knows (no git), so the ARG default applies', () => {
    const info = parseDockerfile('FROM scratch\nARG VERSION=dev\nARG GIT_COMMIT\n', 'Dockerfile');
    assert.deepEqual(buildArgValues(automaticBuildArgs(info, { ...values, VERSION: undefined })), { GIT_COMMIT: 'abc' });
  });
  it('pass nothing to a Dockerfile without ARGs', () => {
    assert.equal(automaticBuildArgs(parseDockerfile('FROM scratch\n', 'D'), values).size, 0);
  });
});

describe('run.cfg build_args', () => {
  const env = { TOKEN: 's3cret', HOME: '/home/a' };
  it('reads --build-arg flags, expands variables and keeps $VAR for printing', () => {
    const parsed = parseBuildArgsConfig('--build-arg A=1 --build-arg "B=two words" --build-arg=T=$TOKEN --build-arg U={user}', { user: 'alice' }, env, where);
    assert.deepEqual(buildArgValues(parsed.args), { A: '1', B: 'two words', T: 's3cret', U: 'alice' });
    const line = formatCommand(buildArgFlags(parsed.args));
    assert.match(line, /T=\$\{TOKEN\}/);
    assert.doesNotMatch(line, /s3cret/);
  });
  it('removes quotes as a shell would; single quotes keep $VAR literal, not a known {name}', () => {
    const parsed = parseBuildArgsConfig(`--build-arg GREETING="hello world" --build-arg A='$TOKEN {user} {{x}}' --build-arg B=x\\ y`, { user: 'alice' }, env, where);
    assert.deepEqual(buildArgValues(parsed.args), { GREETING: 'hello world', A: '$TOKEN alice {x}', B: 'x y' });
    assert.doesNotMatch(formatCommand(buildArgFlags(parsed.args)), /s3cret/);
  });
  it('an unknown {identifier} is an error with file and line', () => {
    assert.throws(() => parseBuildArgsConfig('--build-arg A={usr}', { user: 'alice' }, env, where), (e: unknown) => e instanceof DockconvError && e.line === 3 && e.describe().includes('did you mean {user}?'));
  });
  it('an unterminated quote is an error with file and line', () => {
    assert.throws(() => parseBuildArgsConfig('--build-arg A="x', {}, env, where), (e: unknown) => e instanceof DockconvError && e.line === 3 && /unterminated double quote/.test(e.message));
  });
  it('takes a value-less --build-arg from the environment, as docker does', () => {
    const parsed = parseBuildArgsConfig('--build-arg TOKEN', {}, env, where);
    assert.equal(parsed.args.get('TOKEN')?.value, 's3cret');
    assert.equal(parsed.args.get('TOKEN')?.shown, '${TOKEN}');
  });
  it('passes other docker build flags through', () => {
    const parsed = parseBuildArgsConfig('--network host --squash --build-arg A=1 --add-host=h:1.2.3.4', {}, env, where);
    assert.deepEqual(parsed.flags.map((f) => f.value), ['--network', 'host', '--squash', '--add-host', 'h:1.2.3.4']);
  });
  it('rejects a bare word with file and line', () => {
    assert.throws(() => parseBuildArgsConfig('A=1', {}, env, where), (e: unknown) => e instanceof DockconvError && e.line === 3 && /not a docker build flag/.test(e.message));
  });
  it('rejects an unset variable, naming it', () => {
    assert.throws(() => parseBuildArgsConfig('--build-arg A=$NOPE', {}, env, where), /\$NOPE is not set/);
  });
});

describe('buildArgs option and precedence', () => {
  it('accepts an array of NAME=value and a string with or without --build-arg', () => {
    assert.deepEqual(buildArgValues(parseBuildArgsOption(['A=1', 'B=x=y'], {})), { A: '1', B: 'x=y' });
    assert.deepEqual(buildArgValues(parseBuildArgsOption('--build-arg A=1 B=2', {})), { A: '1', B: '2' });
    assert.deepEqual(buildArgValues(parseBuildArgsOption(`--build-arg=G="hello world" H='$X'`, {})), { G: 'hello world', H: '$X' });
  });
  it('rejects an invalid name', () => {
    assert.throws(() => parseBuildArgsOption(['1A=x'], {}), /invalid build arg/);
  });
  it('option over run.cfg over automatic', () => {
    const merged = mergeBuildArgs(
      new Map([['TAG', { value: 'auto', shown: 'auto' }], ['A', { value: 'a', shown: 'a' }]]),
      new Map([['TAG', { value: 'cfg', shown: 'cfg' }]]),
      parseBuildArgsOption(['A=opt'], {}),
    );
    assert.deepEqual(buildArgValues(merged), { TAG: 'cfg', A: 'opt' });
  });
});
