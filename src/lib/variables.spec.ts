import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { DockconvError } from './errors';
import { expand } from './variables';
import { formatCommand } from './shown';

const replacements = { user: 'alice', project: 'demo', workdir: '/app', home: '/home/alice', project_root: '/w/demo' };
const env = { TOKEN: 's3cret', HOME: '/home/alice', EMPTY: '' };

describe('expand', () => {
  const cases: [string, string, string][] = [
    ['plain', 'plain', 'plain'],
    ['{user}@{project}', 'alice@demo', 'alice@demo'],
    ['{project_root}:{workdir}', '/w/demo:/app', '/w/demo:/app'],
    ['$TOKEN', 's3cret', '${TOKEN}'],
    ['${TOKEN}x', 's3cretx', '${TOKEN}x'],
    ['${MISSING:-fallback}', 'fallback', 'fallback'],
    ['${MISSING:-{user}}', 'alice', 'alice'],
    ['${TOKEN:-x}', 's3cret', '${TOKEN}'],
    ['{{literal}} $$5', '{literal} $5', '{literal} \\$5'],
    ['cost: 5$', 'cost: 5$', 'cost: 5\\$'],
    ['say "hi"', 'say "hi"', 'say \\"hi\\"'],
    ['$EMPTY', '', '${EMPTY}'],
  ];
  for (const [input, value, shown] of cases) {
    it(JSON.stringify(input), () => assert.deepEqual(expand(input, replacements, env), { value, shown }));
  }

  it('names an unknown {variable} with file and line', () => {
    assert.throws(
      () => expand('-v {nope}:/x', replacements, env, { file: 'docker/run.cfg', line: 4 }),
      (e: unknown) => e instanceof DockconvError && /^docker\/run.cfg:4: unknown replacement variable \{nope\}/.test(e.describe()),
    );
  });
  it('names a known variable that has no value in this context', () => {
    assert.throws(() => expand('{tag}', replacements, env), /\{tag\} has no value here/);
  });
  it('names an unset $VAR', () => {
    assert.throws(() => expand('-e A=$NOPE_NOT_SET', replacements, env), /\$NOPE_NOT_SET is not set/);
  });
  it('rejects an unbalanced brace', () => {
    assert.throws(() => expand('a{b', replacements, env), /unbalanced or invalid '\{'/);
  });
});

describe('formatCommand', () => {
  it('prints secrets as $VAR and the line runs in a shell to the same argv', () => {
    const args = ['printf', '%s|', 'a b', expand('-e=$TOKEN', replacements, env), expand('it"s $$ {user}', replacements, env), "o'k"];
    const line = formatCommand(args);
    assert.ok(!line.includes('s3cret'), line);
    const out = execFileSync('sh', ['-c', line], { env: { ...process.env, ...env } }).toString();
    assert.equal(out, `%s|a b|-e=s3cret|it"s $ alice|o'k|`.replace('%s|', ''));
  });
});
