import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { DockconvError } from '../errors';
import { escapeUnknownPlaceholders, expand, keepBracesAsWritten, REPLACEMENT_NAMES, scriptText, unknownPlaceholders } from './variables';
import { splitWords } from './shell-words';
import { formatCommand } from './shown';

const replacements = { user: 'alice', project: 'demo', workdir: '/app', home: '/home/alice', project_root: '/w/demo' };
const env = { TOKEN: 's3cret', HOME: '/home/alice', EMPTY: '' };

/** One run.cfg value as the executors read it: split into shell words, each expanded. */
const words = (text: string, where = {}): string[] => splitWords(text).map((w) => expand(w, replacements, env, where).value);

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
    ['{{user}}', '{user}', '{user}'],
    ['{{{user}}}', '{alice}', '{alice}'],
    ["awk '{print $1}'", "awk '{print $1}'", "awk '{print \\$1}'"],
    ['JSON={"a":1}', 'JSON={"a":1}', 'JSON={\\"a\\":1}'],
    ['JSON={"a":{"b":1}}}', 'JSON={"a":{"b":1}}', 'JSON={\\"a\\":{\\"b\\":1}}'],
    ["print({'a': 1})", "print({'a': 1})", "print({'a': 1})"],
    ['a{b } {a,b} {} {-x}', 'a{b } {a,b} {} {-x}', 'a{b } {a,b} {} {-x}'],
    ['cost: 5$', 'cost: 5$', 'cost: 5\\$'],
    ['say "hi"', 'say "hi"', 'say \\"hi\\"'],
    ['$EMPTY', '', '${EMPTY}'],
  ];
  for (const [input, value, shown] of cases) {
    it(JSON.stringify(input), () => assert.deepEqual(expand(input, replacements, env), { value, shown }));
  }

  it('replaces a known {name} inside single quotes, double quotes and bare', () => {
    assert.deepEqual(words(`sh -c 'echo "G=$GREETING"; cat {workdir}/src/hello.txt'`), ['sh', '-c', 'echo "G=$GREETING"; cat /app/src/hello.txt']);
    assert.deepEqual(words(`"{user} at {workdir}" {user}`), ['alice at /app', 'alice']);
    assert.deepEqual(words(`-v {project_root}:'{workdir}'`), ['-v', '/w/demo:/app']);
  });
  it('names an unknown {identifier} with file and line, the near miss and how to write braces', () => {
    assert.throws(
      () => words('-e WHO={usr}', { file: 'docker/run.cfg', line: 4 }),
      (e: unknown) =>
        e instanceof DockconvError &&
        e.describe() === "docker/run.cfg:4: unknown replacement variable {usr} in 'WHO={usr}' (did you mean {user}?; {{ and }} give literal braces: {{usr}})",
    );
    assert.throws(() => words(`sh -c 'echo {nosuch}'`, { file: 'f', line: 2 }), (e: DockconvError) => e.line === 2 && /\{nosuch\}.*known: \{user\}/.test(e.describe()));
    assert.throws(() => words('{Workdir}'), (e: DockconvError) => e.describe().includes('did you mean {workdir}?'));
    assert.throws(() => words('{0}'), /unknown replacement variable \{0\}/);
  });
  it('gives literal braces for {{ and }}, quoted or not', () => {
    assert.deepEqual(words(`'{{x}}' {{x}} "{{user}}"`), ['{x}', '{x}', '{user}']);
  });
  it('leaves awk, python and JSON braces as written, quoted or not', () => {
    assert.deepEqual(words(`awk '{print $1}' "{ print }"`), ['awk', '{print $1}', '{ print }']);
    assert.deepEqual(words(`python -c "print({'a': 1})"`), ['python', '-c', "print({'a': 1})"]);
    assert.deepEqual(words(`-e JSON={"a":1}`), ['-e', 'JSON={a:1}']);
    assert.deepEqual(words(`-e 'JSON={"a":1}'`), ['-e', 'JSON={"a":1}']);
  });
  it('keeps $VAR and ${VAR} literal inside single quotes and expands them elsewhere', () => {
    const quoted = '$TOKEN ${TOKEN} ${HOSTNAME:-none} $${TOKEN}';
    assert.deepEqual(words(`'${quoted}' "$TOKEN" $TOKEN`), [quoted, 's3cret', 's3cret']);
  });
  it('a ${…} form it does not expand is an error unless single-quoted', () => {
    assert.throws(() => expand('${TOKEN-x}', replacements, env), /'\$\{TOKEN-x\}' is not a form expanded here/);
    const [word] = splitWords(`'\${HOSTNAME:-none}'`);
    assert.equal(expand(word ?? '', replacements, env).value, '${HOSTNAME:-none}');
  });
  it('names a known variable that has no value in this context', () => {
    assert.throws(() => expand('{tag}', replacements, env), /\{tag\} has no value here/);
  });
  it('names an unset $VAR, with file and line', () => {
    assert.throws(() => expand('-e A=$NOPE_NOT_SET', replacements, env, { file: 'f', line: 3 }), (e: DockconvError) => e.describe().startsWith('f:3: environment variable $NOPE_NOT_SET is not set'));
  });
});

describe('unknownPlaceholders and escapeUnknownPlaceholders', () => {
  const table: [string, string[], string][] = [
    ['-e WHO={nosuch}', ['nosuch'], '-e WHO={{nosuch}}'],
    ["sh -c 'cat {workdir}/{file}'", ['file'], "sh -c 'cat {workdir}/{{file}}'"],
    ['{{already}} {user} ${HOME} ${x:-y}', [], '{{already}} {user} ${HOME} ${x:-y}'],
    ['$${x}', ['x'], '$${{x}}'],
    [`awk '{print $1}' {"a":1} {a,b} {}`, [], `awk '{print $1}' {"a":1} {a,b} {}`],
    ['{a}{b_2}', ['a', 'b_2'], '{{a}}{{b_2}}'],
  ];
  for (const [value, names, escaped] of table) {
    it(JSON.stringify(value), () => {
      assert.deepEqual(unknownPlaceholders(value), names);
      assert.equal(escapeUnknownPlaceholders(value), escaped);
      assert.equal(escapeUnknownPlaceholders(escaped), escaped, 'a second pass changes nothing');
      assert.deepEqual(unknownPlaceholders(escaped), []);
    });
  }
  it('an escaped value expands to the text it was written as', () => {
    const value = `sh -c 'echo {nosuch} at {workdir}'`;
    assert.deepEqual(words(escapeUnknownPlaceholders(value)), ['sh', '-c', 'echo {nosuch} at /app']);
  });
  it('knows the documented names', () => {
    for (const name of ['user', 'project', 'project_root', 'workspace_root', 'home', 'workdir', 'cwd', 'image', 'tag']) {
      assert.ok((REPLACEMENT_NAMES as readonly string[]).includes(name), name);
    }
  });
});

describe('keepBracesAsWritten', () => {
  // written for 0.1.0, rewritten for 0.2.0, the words 0.2.0 reads: 0.1.0's but for a known {name}
  // inside single quotes, which 0.1.0 left unreplaced and 0.2.0 replaces on purpose
  const table: [string, string, string[]][] = [
    ["--format '{{.Names}}'", "--format '{{{{.Names}}}}'", ['--format', '{{.Names}}']],
    ['-e WHO={nosuch}', '-e WHO={{nosuch}}', ['-e', 'WHO={nosuch}']],
    ["sh -c 'echo {nosuch} at {workdir}'", "sh -c 'echo {{nosuch}} at {workdir}'", ['sh', '-c', 'echo {nosuch} at /app']],
    ["awk '{print $1}'", "awk '{print $1}'", ['awk', '{print $1}']],
    ['-e JSON={"a":1}', '-e JSON={"a":1}', ['-e', 'JSON={a:1}']],
    [`-e 'JSON={"a":{"b":1}}'`, `-e 'JSON={"a":{"b":1}}}}'`, ['-e', 'JSON={"a":{"b":1}}']],
    ['{user}@{project}', '{user}@{project}', ['alice@demo']],
    ['${HOME} ${TOKEN:-x} $TOKEN', '${HOME} ${TOKEN:-x} $TOKEN', ['/home/alice', 's3cret', 's3cret']],
    ['$${x} $$', '$${{x}} $$', ['${x}', '$']],
    ["'Hello {{user}}' {Workdir} {0}", "'Hello {{{{user}}}}' {{Workdir}} {{0}}", ['Hello {{user}}', '{Workdir}', '{0}']],
    ['}}} {a,b} {}', '}}}}} {a,b} {}', ['}}}', '{a,b}', '{}']],
  ];
  for (const [value, kept, read] of table) {
    it(JSON.stringify(value), () => {
      assert.equal(keepBracesAsWritten(value), kept);
      assert.deepEqual(words(kept), read);
    });
  }
  it('reads a rewritten script as 0.1.0 did: the shell gets the braces as written', () => {
    assert.equal(scriptText(keepBracesAsWritten(`docker ps --format '{{.Names}}' | grep {nosuch}-{project}`), replacements), `docker ps --format '{{.Names}}' | grep {nosuch}-demo`);
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
  it('replaces a {name} inside single quotes too, pasted so the quotes still hold', () => {
    assert.equal(sh(`printf '%s|' 'at {project_root}/x' '{{user}}' "{a,b}" '\${HOME:-h}'`), `at /w/it's $(touch x) "q"/x|{user}|{a,b}|\${HOME:-h}|`);
  });
  it('a backslash before a {name} does not keep it from being replaced', () => {
    assert.equal(sh('printf %s \\{user}'), 'alice');
  });
  it('an unknown {identifier} in a script is an error with its line', () => {
    assert.throws(() => scriptText('echo {nope}', replacements, { file: 'docker/run.cfg', line: 7 }), (e: DockconvError) => e.describe().startsWith('docker/run.cfg:7: unknown replacement variable {nope}'));
  });
});

describe('scriptText keeps plain values readable', () => {
  it('pastes a value with nothing special as is', () => {
    assert.equal(scriptText('echo pre for {image}; cd {project_root}', { image: 'p-dev', project_root: '/w/p' }), 'echo pre for p-dev; cd /w/p');
  });
});
