import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { DockconvError } from './errors';
import { expand, scriptText } from './variables';
import { splitWords } from './run/shell-words';
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
    ['{{literal}} $$5', '{{literal}} $5', '{{literal}} \\$5'],
    ["awk '{print $1}'", "awk '{print $1}'", "awk '{print \\$1}'"],
    ['JSON={"a":{"b":1}}', 'JSON={"a":{"b":1}}', 'JSON={\\"a\\":{\\"b\\":1}}'],
    ['{nope} {usr} a{b }', '{nope} {usr} a{b }', '{nope} {usr} a{b }'],
    ['cost: 5$', 'cost: 5$', 'cost: 5\\$'],
    ['say "hi"', 'say "hi"', 'say \\"hi\\"'],
    ['$EMPTY', '', '${EMPTY}'],
  ];
  for (const [input, value, shown] of cases) {
    it(JSON.stringify(input), () => assert.deepEqual(expand(input, replacements, env), { value, shown }));
  }

  it('in volumes, names an unknown {variable} with file and line, and the near miss', () => {
    assert.throws(
      () => expand('{usr}:/x', replacements, env, { file: 'docker/run.cfg', line: 4 }, 'volumes'),
      (e: unknown) => e instanceof DockconvError && e.describe() === "docker/run.cfg:4: unknown replacement variable {usr} in '{usr}:/x' (did you mean {user}?)",
    );
  });
  it('in volumes, {{ and }} are braces and a lone brace is an error', () => {
    assert.equal(expand('/a{{b}}:{workdir}', replacements, env, {}, 'volumes').value, '/a{b}:/app');
    assert.throws(() => expand('a{b', replacements, env, {}, 'volumes'), (e: DockconvError) => e.describe() === "unbalanced '{' in 'a{b' (write {{ for a literal brace in volumes)");
    assert.throws(() => expand('a}b', replacements, env, {}, 'volumes'), /unbalanced '\}'/);
  });
  it('replaces nothing inside single quotes, in volumes too', () => {
    const [word] = splitWords(`'{user} $TOKEN {nope}'{user}`);
    assert.equal(expand(word ?? '', replacements, env, {}, 'volumes').value, '{user} $TOKEN {nope}alice');
  });
  it('a ${…} form it does not expand is an error unless single-quoted', () => {
    assert.throws(() => expand('${TOKEN-x}', replacements, env), /'\$\{TOKEN-x\}' is not a form expanded here/);
    const [word] = splitWords(`'\${HOSTNAME:-none}'`);
    assert.equal(expand(word ?? '', replacements, env).value, '${HOSTNAME:-none}');
  });
  it('names a known variable that has no value in this context', () => {
    assert.throws(() => expand('{tag}', replacements, env), /\{tag\} has no value here/);
  });
  it('names an unset $VAR', () => {
    assert.throws(() => expand('-e A=$NOPE_NOT_SET', replacements, env), /\$NOPE_NOT_SET is not set/);
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

describe('scriptText', () => {
  const sh = (script: string, extra: NodeJS.ProcessEnv = {}): string =>
    execFileSync('sh', ['-c', scriptText(script, { ...replacements, project_root: `/w/it's $(touch x) "q"` })], { env: { ...process.env, ...extra } }).toString();
  it('leaves $VAR to the shell: a value with $(…) and backquotes stays data', () => {
    const text = scriptText('printf "%s" "$REL" > out', replacements);
    assert.equal(text, 'printf "%s" "$REL" > out');
    assert.equal(sh('printf "%s" "$REL"', { REL: 'a $(echo X) `echo Y` b' }), 'a $(echo X) `echo Y` b');
  });
  it('pastes a {name} quoted for where it lands: bare, in double quotes, in $(…)', () => {
    const root = `/w/it's $(touch x) "q"`;
    assert.equal(sh('printf "%s|" {project_root}'), `${root}|`);
    assert.equal(sh('printf "%s|" "at {project_root}/x"'), `at ${root}/x|`);
    assert.equal(sh('printf "%s|" "$(printf %s {project_root})"'), `${root}|`);
    assert.equal(sh('printf "%s|" `printf %s {user}`'), 'alice|');
  });
  it('replaces nothing inside single quotes; other braces are the shell\'s', () => {
    assert.equal(sh(`printf '%s|' '{user}' {nope} "{a,b}"`), '{user}|{nope}|{a,b}|');
  });
});

describe('scriptText keeps plain values readable', () => {
  it('pastes a value with nothing special as is', () => {
    assert.equal(scriptText('echo pre for {image}; cd {project_root}', { image: 'p-dev', project_root: '/w/p' }), 'echo pre for p-dev; cd /w/p');
  });
});
