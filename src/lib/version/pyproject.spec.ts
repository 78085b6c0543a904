import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { requiredSuite } from '../../testing/required';
import { readToolVersioneer } from './pyproject';

const PYTHON = '/usr/bin/python3';
const hasTomllib = spawnSync(PYTHON, ['-c', 'import tomllib'], { stdio: 'ignore' }).status === 0;

/** Every way TOML spells the same table; the table-header form was all a TOML subset reader saw. */
const SPELLINGS: Record<string, string> = {
  'table header': '[tool.versioneer]\nVCS = "git"\nstyle = "pep440"\ntag_prefix = "v"\n',
  'inline table under [tool]': '[tool]\nversioneer = { VCS = "git", style = "pep440", tag_prefix = "v" }\n',
  'dotted keys under [tool]': '[tool]\nversioneer.VCS = "git"\nversioneer.style = "pep440"\nversioneer.tag_prefix = "v"\n',
  'dotted keys at the top': 'tool.versioneer.VCS = "git"\ntool.versioneer.style = "pep440"\n"tool".versioneer."tag_prefix" = \'v\'\n',
  'sub-table header after [tool]': '[tool]\nblack = { line-length = 100 }\n[tool.versioneer]\nVCS = "git"\nstyle = "pep440"\ntag_prefix = "v"\n',
};

const EXPECTED = { VCS: 'git', style: 'pep440', tag_prefix: 'v' };

describe('pyproject.toml tool.versioneer in every TOML spelling', () => {
  for (const [name, text] of Object.entries(SPELLINGS)) {
    it(name, () => assert.deepEqual(Object.fromEntries(readToolVersioneer(text, 'pyproject.toml') ?? []), EXPECTED));
  }
  it('multi-line strings, escapes, integers and booleans as str() writes them', () => {
    const text = '[tool.versioneer]\nparentdir_prefix = """\\\n  pkg-"""\nverbose = false\nlevel = 0x10\nname = "caf\\u00e9"\n';
    assert.deepEqual(Object.fromEntries(readToolVersioneer(text, 'p') ?? []), { parentdir_prefix: 'pkg-', verbose: 'False', level: '16', name: 'café' });
  });
  it('a float, a date or an array is refused, naming the key', () => {
    for (const value of ['1.0', '1979-05-27', '["git"]']) {
      assert.throws(() => readToolVersioneer(`[tool.versioneer]\nx = ${value}\n`, 'p'), /unsupported value for 'x'/);
    }
  });
  it('tool.versioneer that is not a table is an error; no tool table is undefined', () => {
    assert.throws(() => readToolVersioneer('[tool]\nversioneer = "git"\n', 'p'), /tool.versioneer is not a table/);
    assert.equal(readToolVersioneer('[project]\nname = "x"\n', 'p'), undefined);
    assert.equal(readToolVersioneer('tool = 1\n', 'p'), undefined);
  });
});

/** What versioneer reads: tomllib's `tool.versioneer`, each value through str(); or an error. */
const PY = `
import json, sys, tomllib
out = []
for text in json.loads(sys.stdin.read()):
    try:
        table = tomllib.loads(text).get('tool', {}).get('versioneer')
        out.append(None if table is None else {k: str(v) for k, v in table.items()})
    except tomllib.TOMLDecodeError as e:
        out.append({'error': str(e)})
print(json.dumps(out))
`;

/** Files that tomllib reads and where readers disagree most: the spellings, plus traps. */
const PARITY_FILES = [
  ...Object.values(SPELLINGS),
  '[tool.versioneer]\nVCS = "git"\nverbose = true\nnumber = -0\n# "[tool.other]" in a comment\nkey = "a # not a comment"\n',
  "[tool.versioneer]\n'quoted key' = 'C:\\\\path'\n\"VCS\" = \"\"\"git\"\"\"\n",
  '[project]\nname = "x"\n[tool.setuptools]\npackages = ["a"]\n',
  '[tool.versioneer]\nVCS = "git"\nVCS = "hg"\n',
  '[tool.versioneer]\nVCS = "git"\n[tool.versioneer]\nstyle = "pep440"\n',
  '[tool]\nversioneer = { VCS = "git" }\n[tool.versioneer]\nstyle = "pep440"\n',
  '[tool.versioneer]\nstyle = "pep440\n',
];

const skip = requiredSuite('parity with Python tomllib', !hasTomllib && `${PYTHON} -c 'import tomllib' failed (Python 3.11 or later)`);

describe('parity with Python tomllib', { skip }, () => {
  it('reads the same table, or rejects the same file, as tomllib', () => {
    const run = spawnSync(PYTHON, ['-c', PY], { input: JSON.stringify(PARITY_FILES), encoding: 'utf8' });
    assert.equal(run.status, 0, run.stderr);
    const python = JSON.parse(run.stdout) as (Record<string, string> | null)[];
    PARITY_FILES.forEach((text, i) => {
      const theirs = python[i] ?? null;
      if (theirs && 'error' in theirs) {
        assert.throws(() => readToolVersioneer(text, 'p'), /invalid TOML/, `tomllib rejects:\n${text}`);
        return;
      }
      const ours = readToolVersioneer(text, 'p');
      assert.deepEqual(ours ? Object.fromEntries(ours) : null, theirs, text);
    });
  });
});
