import { describe, it, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { addProjectConfiguration, logger, type Tree } from '@nx/devkit';
import { createTreeWithEmptyWorkspace } from '@nx/devkit/testing';
import update from './keep-literal-braces';

const ROOT = 'apps/x';
const RUN_CFG = `${ROOT}/docker/run.cfg`;

/** A run.cfg written for 0.1.0: comments, a continuation line, [DEFAULT], an env section. */
const BEFORE = [
  '# run configurations of x',
  '; braces as 0.1.0 read them',
  '[DEFAULT]',
  'ports = -p {port}:80',
  '',
  '[base]',
  'build_args = --build-arg A={nosuch}',
  '\t--build-arg B={{x}}',
  '',
  '[dev]',
  'name = app-{{x}}',
  'tag: {nosuch}',
  "cmd = sh -c 'echo {nosuch} {workdir}'",
  "args   =   --format '{{.Names}}'",
  'volumes = -v {home}:/h',
  'environment: -e A={x}',
  '    # a comment inside the value',
  '    -e B={y}',
  'env = vars',
  '',
  '[vars]',
  'GREETING = hello {who}',
  '',
  '[other]',
  'cmd = {not_an_image}',
  '',
].join('\n');

const AFTER = [
  '# run configurations of x',
  '; braces as 0.1.0 read them',
  '[DEFAULT]',
  'ports = -p {{port}}:80',
  '',
  '[base]',
  'build_args = --build-arg A={{nosuch}}',
  '\t--build-arg B={{{{x}}}}',
  '',
  '[dev]',
  'name = app-{{x}}',
  'tag: {nosuch}',
  "cmd = sh -c 'echo {{nosuch}} {workdir}'",
  "args   =   --format '{{{{.Names}}}}'",
  'volumes = -v {home}:/h',
  'environment: -e A={{x}}',
  '    # a comment inside the value',
  '    -e B={{y}}',
  'env = vars',
  '',
  '[vars]',
  'GREETING = hello {{who}}',
  '',
  '[other]',
  'cmd = {not_an_image}',
  '',
].join('\n');

function workspace(files: Record<string, string | Buffer>): Tree {
  const tree = createTreeWithEmptyWorkspace();
  addProjectConfiguration(tree, 'x', { root: ROOT });
  addProjectConfiguration(tree, 'plain', { root: 'libs/plain' });
  tree.write(`${ROOT}/docker/base/Dockerfile`, 'FROM alpine\n');
  tree.write(`${ROOT}/docker/dev/Dockerfile`, 'FROM x-base\n');
  tree.write('libs/plain/src/index.ts', '');
  for (const [path, content] of Object.entries(files)) tree.write(path, content);
  return tree;
}

/** What the migration logs, each call's message by level. */
function logged(t: TestContext): { info: () => string[]; warn: () => string[] } {
  const info = t.mock.method(logger, 'info', () => undefined);
  const warn = t.mock.method(logger, 'warn', () => undefined);
  const messages = (calls: { arguments: unknown[] }[]): string[] => calls.map((c) => String(c.arguments[0]));
  return { info: () => messages(info.mock.calls), warn: () => messages(warn.mock.calls) };
}

const read = (tree: Tree, path: string): string => tree.read(path, 'utf-8') ?? '';

describe('keep-literal-braces (0.2.0)', () => {
  it('rewrites only the values that take replacements, outside volumes; a project without run.cfg is fine', async (t) => {
    const log = logged(t);
    const tree = workspace({ [RUN_CFG]: BEFORE });
    await update(tree);
    assert.equal(read(tree, RUN_CFG), AFTER);
    assert.deepEqual(log.info(), [`${RUN_CFG}: braces kept as 0.1.0 read them (lines 4, 7, 8, 13, 14, 16, 18, 22)`]);
    assert.deepEqual(log.warn(), []);
  });

  it('handles docker/dockerutils.cfg, keeping CRLF line breaks and a BOM', async (t) => {
    const log = logged(t);
    const file = `${ROOT}/docker/dockerutils.cfg`;
    const tree = workspace({ [file]: '\uFEFF[dev]\r\ncmd = echo {nosuch}\r\nvolumes = -v {{x}}:/x\r\n' });
    await update(tree);
    assert.equal(read(tree, file), '\uFEFF[dev]\r\ncmd = echo {{nosuch}}\r\nvolumes = -v {{x}}:/x\r\n');
    assert.deepEqual(log.info(), [`${file}: braces kept as 0.1.0 read them (line 2)`]);
  });

  it('leaves a file it cannot parse as it is, with a warning naming it', async (t) => {
    const log = logged(t);
    const broken = 'cmd = echo {nosuch}\n[dev]\n';
    const tree = workspace({ [RUN_CFG]: broken });
    await update(tree);
    assert.equal(read(tree, RUN_CFG), broken);
    assert.deepEqual(log.info(), []);
    assert.equal(log.warn().length, 1);
    assert.match(log.warn()[0] ?? '', /^apps\/x\/docker\/run\.cfg: left unchanged, it cannot be read: .*before any \[section\] header/);
  });

  it('leaves a file that is not UTF-8 byte for byte as it is', async (t) => {
    const log = logged(t);
    const bytes = Buffer.concat([Buffer.from('[dev]\ncmd = echo {nosuch} '), Buffer.from([0xff]), Buffer.from('\n')]);
    const tree = workspace({ [RUN_CFG]: bytes });
    await update(tree);
    assert.deepEqual(tree.read(RUN_CFG), bytes);
    assert.match(log.warn()[0] ?? '', /run\.cfg: left unchanged/);
  });

  it('changes nothing in a file with no unknown {identifier} and no {{ or }} (written for 0.2.0)', async (t) => {
    const log = logged(t);
    const current = "[dev]\ncmd = sh -c 'cat {workdir}/x'\nargs = {a,b} awk '{print $1}' ${HOME} $$ {\"a\":1}\nvolumes = -v {home}:/h\n";
    const tree = workspace({ [RUN_CFG]: current });
    const write = t.mock.method(tree, 'write');
    await update(tree);
    assert.equal(write.mock.callCount(), 0);
    assert.equal(read(tree, RUN_CFG), current);
    assert.deepEqual(log.info(), []);
  });
});
