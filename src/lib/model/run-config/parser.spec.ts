import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DockconvError } from '../../errors';
import { requiredSuite } from '../../../testing/required';
import { APPENDED_VALUES, COMMENTED } from '../../../testing/run-config-text';
import { parseBoolean, parseConfig, type ConfigDocument, type ConfigEntry, type ConfigSection } from './parser';
import { appendSection } from './writer';

type Sections = Record<string, Record<string, string>>;
/** A grammar case: what the file reads as, or the line of the error Python and we raise. */
interface Case {
  title: string;
  text: string;
  sections?: Sections;
  errorLine?: number;
}

/** `k0 = x`, `k1 = %(k0)s`, … : interpolation nested `depth` levels. */
function chain(depth: number): string {
  const keys = Array.from({ length: depth + 1 }, (_, i) => (i === 0 ? 'k0 = x' : `k${i} = %(k${i - 1})s`));
  return `[a]\n${keys.join('\n')}\n`;
}

const ACCEPTED: Case[] = [
  { title: 'key = value and key: value', text: '[dev]\nname = x\ntag: latest\nk=v\n', sections: { dev: { name: 'x', tag: 'latest', k: 'v' } } },
  {
    title: 'the first = or : delimits',
    text: '[a]\nk:v=w\nj = v:w\nurl = http://h:80/\n',
    sections: { a: { k: 'v=w', j: 'v:w', url: 'http://h:80/' } },
  },
  {
    title: 'inline ; and # stay in the value',
    text: '[a]\nargs = --rm ; keep\nb = x # not a comment\n',
    sections: { a: { args: '--rm ; keep', b: 'x # not a comment' } },
  },
  { title: 'whole-line comments, indented ones too', text: '# top\n; top\n[a]\n  # indented\n\t; tab\nk = v\n', sections: { a: { k: 'v' } } },
  {
    title: 'comment lines inside a value are dropped',
    text: '[a]\nk = one\n    # dropped\n    two\n  ; dropped\n',
    sections: { a: { k: 'one\ntwo' } },
  },
  {
    title: 'deeper-indented lines continue the value',
    text: '[a]\nvolumes = -v a:b\n    -v c:d\n\t-v e:f\nnext = 1\n',
    sections: { a: { volumes: '-v a:b\n-v c:d\n-v e:f', next: '1' } },
  },
  {
    title: 'empty lines inside a value are kept, trailing ones dropped',
    text: '[a]\nk = one\n\n  two\n\n\nj = x\n\n',
    sections: { a: { k: 'one\n\ntwo', j: 'x' } },
  },
  { title: 'a whitespace-only line inside a value', text: '[a]\nk = one\n   \n  two\n', sections: { a: { k: 'one\n\ntwo' } } },
  { title: 'a value starting on the next line', text: '[a]\nk =\n  -v a:b\n  -v c:d\n', sections: { a: { k: '\n-v a:b\n-v c:d' } } },
  { title: 'empty values', text: '[a]\nk =\nj:\n', sections: { a: { k: '', j: '' } } },
  {
    title: 'indented keys: continuation is relative to the key',
    text: '[a]\n  k = 1\n  j = 2\n    more\n',
    sections: { a: { k: '1', j: '2\nmore' } },
  },
  { title: 'an indented [b] under a key is a continuation', text: '[a]\nk = 1\n  [b]\n', sections: { a: { k: '1\n[b]' } } },
  {
    title: 'header: text after ] is ignored, ] inside kept, spaces kept',
    text: '[a] trailing\nk = 1\n[b]c]\n[ spaced ]\n',
    sections: { a: { k: '1' }, 'b]c': {}, ' spaced ': {} },
  },
  { title: 'an indented header', text: '  [a]\nk = 1\n', sections: { a: { k: '1' } } },
  {
    title: 'whitespace around keys and values is stripped',
    text: '[a]\n  my key   =   spaced value  \t\n',
    sections: { a: { 'my key': 'spaced value' } },
  },
  { title: 'keys are case-sensitive', text: '[a]\nKey = 1\nkey = 2\n', sections: { a: { Key: '1', key: '2' } } },
  {
    title: '%% and %(key)s, DEFAULT values interpolated in the section',
    text: '[DEFAULT]\nuser = bob\nhome = /home/%(user)s\n[a]\nuser = alice\npath = %(home)s/x\npct = 100%%\n',
    sections: { a: { user: 'alice', path: '/home/alice/x', pct: '100%', home: '/home/alice' } },
  },
  {
    title: '[DEFAULT] anywhere is inherited by all; own keys come first',
    text: '[a]\nx = 1\n[DEFAULT]\ny = 2\nx = 0\n[b]\n',
    sections: { a: { x: '1', y: '2' }, b: { y: '2', x: '0' } },
  },
  { title: '[DEFAULT] may reopen', text: '[DEFAULT]\na = 1\n[s]\n[DEFAULT]\nb = 2\n', sections: { s: { a: '1', b: '2' } } },
  { title: 'a referenced %% is unescaped once', text: '[a]\np = 50%%\nq = %(p)s of it\n', sections: { a: { p: '50%', q: '50% of it' } } },
  { title: 'a key with spaces referenced', text: '[a]\nmy key = 1\nk = %(my key)s\n', sections: { a: { 'my key': '1', k: '1' } } },
  {
    title: 'interpolation nested 10 levels',
    text: chain(10),
    sections: { a: Object.fromEntries(Array.from({ length: 11 }, (_, i) => [`k${i}`, 'x'])) },
  },
  { title: 'CRLF line ends', text: '[a]\r\nk = v\r\n  w\r\n', sections: { a: { k: 'v\nw' } } },
  { title: 'lone CR line ends', text: '[a]\rk = v\r', sections: { a: { k: 'v' } } },
  { title: 'no final newline', text: '[a]\nk = v', sections: { a: { k: 'v' } } },
  { title: 'Python whitespace: nbsp stripped', text: '[a]\nk =\u00a0v\u00a0\n', sections: { a: { k: 'v' } } },
  { title: 'Python whitespace: a form feed indents', text: '[a]\nk = v\n\fj = w\x1c\n', sections: { a: { k: 'v\nj = w' } } },
  { title: 'U+2028 is no line break', text: '[a]\nk = x\u2028y\n', sections: { a: { k: 'x\u2028y' } } },
  { title: 'a leading BOM is ignored', text: '\uFEFF[a]\nk = v\n', sections: { a: { k: 'v' } } },
  { title: 'an empty file', text: '', sections: {} },
  { title: 'comments only', text: '# only\n\n; this\n', sections: {} },
  { title: 'an empty section', text: '[a]\n', sections: { a: {} } },
  {
    title: 'appendSection output',
    text: appendSection(COMMENTED, 'nb', APPENDED_VALUES),
    sections: { dev: { volumes: '-v a:b\n-v c:d' }, nb: Object.fromEntries(APPENDED_VALUES) },
  },
];

const REJECTED: Case[] = [
  { title: 'a key before any section', text: 'k = v\n[a]\n', errorLine: 1 },
  { title: 'comments and blank lines are no section', text: '# c\n\n  k = v\n', errorLine: 3 },
  { title: 'a key without a value', text: '[a]\nflag\n', errorLine: 2 },
  { title: 'an empty key', text: '[a]\n= v\n', errorLine: 2 },
  { title: 'an empty header', text: '[a]\n[]\n', errorLine: 2 },
  { title: 'an unclosed header', text: '[a]\n[b\n', errorLine: 2 },
  { title: 'an indented line with no key to continue', text: '[a]\n   orphan\n', errorLine: 2 },
  { title: 'a duplicate section', text: '[a]\n[b]\n[a]\n', errorLine: 3 },
  { title: 'a duplicate key', text: '[a]\nk = 1\nk: 2\n', errorLine: 3 },
  { title: 'a key repeated in a reopened [DEFAULT]', text: '[DEFAULT]\nk = 1\n[DEFAULT]\nk = 2\n', errorLine: 4 },
  { title: 'a lone %', text: '[a]\nk = 100%\n', errorLine: 2 },
  { title: '%d', text: '[a]\nk = %d\n', errorLine: 2 },
  { title: '%(x)d', text: '[a]\nx = 1\nk = %(x)d\n', errorLine: 3 },
  { title: 'an unterminated %(', text: '[a]\nk = %(x\n', errorLine: 2 },
  { title: 'a missing %(key)s', text: '[a]\nk = %(nope)s\n', errorLine: 2 },
  { title: 'an interpolation loop', text: '[a]\nx = %(y)s\ny = %(x)s\n', errorLine: 2 },
  { title: 'interpolation nested 11 levels', text: chain(11), errorLine: 13 },
  { title: 'a % on a continuation line', text: '[a]\nk = ok\n  50%\n', errorLine: 2 },
  { title: 'a [DEFAULT] value failing in one section', text: '[DEFAULT]\nx = %(name)s\n[a]\nname = 1\n[b]\n', errorLine: 2 },
  { title: '[default] is no [DEFAULT]', text: '[default]\nu = 1\n[a]\nk = %(u)s\n', errorLine: 4 },
];

const asObject = (doc: ConfigDocument): Sections =>
  Object.fromEntries([...doc.sections.values()].map((s) => [s.name, Object.fromEntries([...s.entries].map(([k, e]) => [k, e.value]))]));
const asPairs = (doc: ConfigDocument): [string, [string, string][]][] =>
  [...doc.sections.values()].map((s) => [s.name, [...s.entries.values()].map((e): [string, string] => [e.key, e.value])]);

function rejects(text: string, file: string): DockconvError {
  try {
    parseConfig(text, file);
  } catch (err) {
    assert.ok(err instanceof DockconvError, String(err));
    return err;
  }
  assert.fail('parseConfig accepted the file');
}

describe('parseConfig grammar', () => {
  for (const c of ACCEPTED) {
    it(`reads ${c.title}`, () => assert.deepEqual(asObject(parseConfig(c.text, 'run.cfg')), c.sections));
  }
  for (const c of REJECTED) {
    it(`rejects ${c.title}, naming file and line`, () => {
      const err = rejects(c.text, '/p/docker/run.cfg');
      assert.equal(err.file, '/p/docker/run.cfg');
      assert.equal(err.line, c.errorLine, err.message);
      assert.ok(err.describe().startsWith(`/p/docker/run.cfg:${c.errorLine}: `), err.describe());
    });
  }
  it('marks [DEFAULT] entries as inherited and keeps their line', () => {
    const a = parseConfig('[DEFAULT]\nx = 1\n[a]\ny = 2\n', 'f').sections.get('a') as ConfigSection;
    assert.deepEqual([...a.entries.values()], [
      { key: 'y', value: '2', line: 4 },
      { key: 'x', value: '1', line: 2, inherited: true },
    ]);
    assert.equal(a.line, 3);
  });
});

// Python's configparser as the original tool used it; utf-8-sig because we accept a BOM.
const PYTHON_DUMP = `
import configparser, json, sys
out = []
for path in sys.argv[1:]:
    cp = configparser.ConfigParser()
    cp.optionxform = str
    try:
        cp.read(path, encoding='utf-8-sig')
        out.append({'ok': True, 'sections': [[s, [[k, cp.get(s, k)] for k in cp.options(s)]] for s in cp.sections()]})
    except configparser.Error as e:
        line = getattr(e, 'lineno', None)
        if line is None and isinstance(e, configparser.ParsingError):
            line = e.errors[0][0]
        out.append({'ok': False, 'error': type(e).__name__, 'line': line})
print(json.dumps(out))
`;
const PYTHON = '/usr/bin/python3';

interface PythonResult {
  ok: boolean;
  sections?: [string, [string, string][]][];
  error?: string;
  line?: number | null;
}

/** Mixed lines, many of them faulty, in many orders: a seeded, repeatable set beside the table. */
function generatedCases(count: number): Case[] {
  const lines = [
    '[a]', '[b]', '[DEFAULT]', '  [a]', '[a] x', '[]', '[c', 'k = v', 'k: v', 'j=%(k)s', 'x = 100%%', 'y = %',
    'z = %(nope)s', '  more', '\tmore', '    # c', '; c', '#c', '', '   ', 'flag', '= v', 'K = 1', 'a = b ; c',
    ' k = w', '        deep', 'u = %(u)s', 'w = %(j)s%%', 'q =', '\fff', 'v:w=x', '[DEFAULT]\nd = %(K)s',
  ];
  let seed = 20240601;
  const random = (n: number): number => {
    seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
    return Math.floor((seed / 2 ** 32) * n);
  };
  return Array.from({ length: count }, (_, i) => {
    const eol = ['\n', '\n', '\n', '\r\n', '\r'][random(5)];
    const body = Array.from({ length: 1 + random(7) }, () => lines[random(lines.length)]);
    return { title: `generated #${i}`, text: body.join(eol) + (random(4) ? eol : '') };
  });
}

describe('parity with Python configparser', { skip: requiredSuite('parity with Python configparser', !existsSync(PYTHON) && `${PYTHON} not found`) }, () => {
  const cases = [...ACCEPTED, ...REJECTED, ...generatedCases(600)];
  let dir = '';
  let results: PythonResult[] = [];
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'run-config-parity-'));
    const files = cases.map((c, i) => {
      const file = join(dir, `case${i}.cfg`);
      writeFileSync(file, c.text);
      return file;
    });
    results = JSON.parse(execFileSync(PYTHON, ['-c', PYTHON_DUMP, ...files], { encoding: 'utf8' })) as PythonResult[];
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  cases.forEach((c, i) => {
    it(`${c.title}: ${JSON.stringify(c.text).slice(0, 60)}`, () => {
      const python = results[i];
      if (python.ok) {
        assert.deepEqual(asPairs(parseConfig(c.text, 'f')), python.sections);
        return;
      }
      const err = rejects(c.text, 'f');
      // Python gives no line for interpolation errors. It raises a bad line's ParsingError only at
      // the end of the file, after any duplicate found later; we name the first fault instead.
      if (python.line == null) return;
      const deferred = /^Duplicate/.test(python.error ?? '') && (err.line ?? 0) < python.line;
      if (!deferred) assert.equal(err.line, python.line, `Python: ${python.error}`);
    });
  });
  it('both accept a fair share of the generated files', () => {
    const generated = results.slice(ACCEPTED.length + REJECTED.length);
    assert.ok(generated.filter((r) => r.ok).length > 40);
  });
});

const entry = (value: string, key = 'k'): ConfigEntry => ({ key, value, line: 7 });

describe('parseBoolean', () => {
  for (const [value, expected] of [['1', true], ['yes', true], ['True', true], ['ON', true], ['0', false], ['no', false], ['FALSE', false], ['off', false]] as const) {
    it(`${value} → ${expected}`, () => assert.equal(parseBoolean(entry(value), 'f'), expected));
  }
  for (const value of ['', 'y', 'nope', '2', 'true!']) {
    it(`rejects ${JSON.stringify(value)} with file and line`, () => {
      assert.throws(() => parseBoolean(entry(value, 'prefix'), 'run.cfg'), (e: DockconvError) => e.file === 'run.cfg' && e.line === 7);
    });
  }
});
