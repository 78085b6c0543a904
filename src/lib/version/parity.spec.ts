/**
 * Parity with real versioneer 0.28 (Debian's python3-versioneer for /usr/bin/python3): scripted
 * git repositories in many states; for every style, our dict must equal versioneer's
 * `get_versions()`, our `_version.py.bld` must import to that dict, and its text must equal what
 * versioneer's own `write_to_version_file` writes.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { STYLES, getVersions, readVersioneerConfig, writeVersionFile } from './index';
import { requiredSuite } from '../../testing/required';
import type { VersionDict } from './types';

const PYTHON = '/usr/bin/python3';
const hasVersioneer = spawnSync(PYTHON, ['-c', 'import versioneer'], { stdio: 'ignore' }).status === 0;
const skip = requiredSuite(
  'parity with versioneer 0.28',
  !hasVersioneer && `needs real versioneer: '${PYTHON} -c "import versioneer"' failed (apt-get install python3-versioneer)`,
);

/** Per style (or '' = as configured): versioneer's dict, what our file imports to, versioneer's file text. */
const PY = `
import contextlib, io, json, os, runpy, sys
root, out = sys.argv[1], sys.argv[2]
styles = json.loads(sys.argv[3])
os.chdir(root)
import versioneer
real = versioneer.get_config_from_root
result = {}
for style in styles:
    def patched(r, style=style):
        cfg = real(r)
        if style:
            cfg.style = style
        return cfg
    versioneer.get_config_from_root = patched
    versions = versioneer.get_versions()
    ours = os.path.join(out, (style or 'configured') + '.py')
    theirs = os.path.join(out, (style or 'configured') + '.versioneer.py')
    open(theirs, 'w').close()
    with contextlib.redirect_stdout(io.StringIO()):
        versioneer.write_to_version_file(theirs, versions)
    result[style] = {'versioneer': versions, 'imported': runpy.run_path(ours)['get_versions']()}
print(json.dumps(result))
`;

let base = '';
let clock = 0;

function git(dir: string, ...args: string[]): string {
  clock += 1;
  // Each commit a minute later, in a fixed zone, so %ci and the ids are deterministic.
  const date = new Date(Date.UTC(2024, 2, 1, 12, clock)).toISOString().replace(/\.000Z$/, '+01:00');
  const env = { ...process.env, GIT_AUTHOR_DATE: date, GIT_COMMITTER_DATE: date };
  return execFileSync('git', args, { cwd: dir, env, encoding: 'utf8' });
}

function commit(dir: string, message: string): void {
  writeFileSync(join(dir, 'file.txt'), `${message}\n`);
  git(dir, 'add', 'file.txt');
  git(dir, 'commit', '-q', '-m', message);
}

function setupCfg(dir: string, lines: string[] = []): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'setup.py'), 'import versioneer\n');
  const defaults = ['VCS = git', 'style = pep440', 'versionfile_source = pkg/_version.py', 'tag_prefix ='];
  const keyOf = (l: string): string => l.split('=')[0]?.trim() ?? '';
  const kept = defaults.filter((d) => !lines.some((l) => keyOf(l) === keyOf(d)));
  const cfg = ['[versioneer]', ...kept, ...lines];
  writeFileSync(join(dir, 'setup.cfg'), `[metadata]\nname = demo\n\n${cfg.join('\n')}\n`);
}

/** A repository with setup.py/setup.cfg committed and `commits` more commits. */
function repo(name: string, opts: { branch?: string; cfg?: string[]; commits?: number } = {}): string {
  const dir = join(base, name);
  setupCfg(dir, opts.cfg);
  git(dir, 'init', '-q', '-b', opts.branch ?? 'master');
  git(dir, 'add', 'setup.py', 'setup.cfg');
  git(dir, 'commit', '-q', '-m', 'setup');
  for (let i = 0; i < (opts.commits ?? 0); i++) commit(dir, `c${i}`);
  return dir;
}

function tag(dir: string, name: string, commitsAfter = 0): void {
  git(dir, 'tag', '-a', '-m', name, name);
  for (let i = 0; i < commitsAfter; i++) commit(dir, `after ${name} ${i}`);
}

function dirty(dir: string): void {
  writeFileSync(join(dir, 'setup.py'), 'import versioneer  # changed\n');
}

const STATES: Record<string, () => string> = {
  'no commits yet': () => {
    const dir = join(base, 'empty');
    setupCfg(dir);
    git(dir, 'init', '-q');
    return dir;
  },
  'no tags': () => repo('notags', { commits: 2 }),
  'no tags, dirty': () => {
    const dir = repo('notags-dirty', { commits: 1 });
    dirty(dir);
    return dir;
  },
  'exact tag': () => {
    const dir = repo('exact', { commits: 1 });
    tag(dir, '1.0');
    return dir;
  },
  'tag + commits': () => {
    const dir = repo('ahead', { commits: 1 });
    tag(dir, '1.0', 3);
    return dir;
  },
  'exact tag, dirty': () => {
    const dir = repo('exact-dirty', { commits: 1 });
    tag(dir, '1.0');
    dirty(dir);
    return dir;
  },
  'tag + commits + dirty': () => {
    const dir = repo('ahead-dirty', { commits: 1 });
    tag(dir, '1.0', 2);
    dirty(dir);
    return dir;
  },
  'feature branch': () => {
    const dir = repo('feature', { commits: 1 });
    tag(dir, '1.0');
    git(dir, 'checkout', '-q', '-b', 'feature');
    commit(dir, 'on feature');
    return dir;
  },
  'branch main (not master)': () => {
    const dir = repo('main', { branch: 'main', commits: 1 });
    tag(dir, '1.0', 1);
    return dir;
  },
  'no tags on a feature branch': () => {
    const dir = repo('notags-feature', { commits: 1 });
    git(dir, 'checkout', '-q', '-b', 'feature');
    return dir;
  },
  'detached HEAD on master history': () => {
    const dir = repo('detached-master', { commits: 1 });
    tag(dir, '1.0', 2);
    git(dir, 'checkout', '-q', 'HEAD~1');
    return dir;
  },
  'detached HEAD contained only in a feature branch': () => {
    const dir = repo('detached-feature', { commits: 1 });
    tag(dir, '1.0');
    git(dir, 'checkout', '-q', '-b', 'zfeature');
    commit(dir, 'feature work');
    git(dir, 'checkout', '-q', '--detach');
    return dir;
  },
  'detached HEAD on no branch': () => {
    const dir = repo('detached-none', { commits: 1 });
    tag(dir, '1.0');
    git(dir, 'checkout', '-q', '--detach');
    commit(dir, 'branchless');
    return dir;
  },
  'tag_prefix v, style from setup.cfg': () => {
    const dir = repo('prefix', { cfg: ['tag_prefix = v', 'style = pep440-post'], commits: 1 });
    tag(dir, 'v1.2', 2);
    return dir;
  },
  'tag lacking the prefix': () => {
    const dir = repo('prefix-missing', { cfg: ['tag_prefix = v'], commits: 1 });
    tag(dir, '1.2', 1);
    return dir;
  },
  "tag_prefix = '' (quoted empty)": () => {
    const dir = repo('prefix-quoted', { cfg: ["tag_prefix = ''"], commits: 1 });
    tag(dir, '4.5', 1);
    return dir;
  },
  'tag matched by a glob prefix it does not start with (error)': () => {
    const dir = repo('prefix-glob', { cfg: ['tag_prefix = v?'], commits: 1 });
    tag(dir, 'vx1.0', 1);
    return dir;
  },
  'tag with .post segment': () => {
    const dir = repo('post', { commits: 1 });
    tag(dir, '1.0.post2', 2);
    return dir;
  },
  'tag with a local version (+)': () => {
    const dir = repo('plus', { commits: 1 });
    tag(dir, '1.0+local', 1);
    dirty(dir);
    return dir;
  },
  'tag with hyphens': () => {
    const dir = repo('hyphen', { commits: 1 });
    tag(dir, '2.0-rc-1', 2);
    return dir;
  },
  'non-ASCII tag': () => {
    const dir = repo('unicode', { commits: 1 });
    tag(dir, '1.0é', 1);
    return dir;
  },
  // Versioneer's own file cannot carry a `"` through its Python literal; ours escapes it (text differs).
  'tag with a double quote': () => {
    const dir = repo('quote', { commits: 1 });
    tag(dir, `1.0"q'''`, 1);
    return dir;
  },
  // Run with GIT_DIR set to another repository (see GIT_DIR_STATE): versioneer drops it.
  'GIT_DIR pointing at another repository': () => {
    const dir = repo('gitdir', { commits: 1 });
    tag(dir, '7.0', 1);
    return dir;
  },
  'project in a subfolder of a monorepo': () => {
    const top = join(base, 'monorepo');
    mkdirSync(top);
    git(top, 'init', '-q', '-b', 'master');
    commit(top, 'root');
    git(top, 'tag', '3.0');
    const dir = join(top, 'packages', 'py');
    setupCfg(dir);
    git(top, 'add', '.');
    git(top, 'commit', '-q', '-m', 'py project');
    return dir;
  },
  'pyproject.toml [tool.versioneer]': () => {
    const dir = join(base, 'pyproject');
    mkdirSync(dir);
    writeFileSync(join(dir, 'setup.py'), 'import versioneer\n');
    writeFileSync(
      join(dir, 'pyproject.toml'),
      '[project]\nname = "demo"\n\n[tool.versioneer]\nVCS = "git"\nstyle = "git-describe"  # c\nversionfile_source = \'pkg/_version.py\'\ntag_prefix = "v"\n',
    );
    git(dir, 'init', '-q', '-b', 'master');
    commit(dir, 'first');
    tag(dir, 'v0.9', 1);
    return dir;
  },
  'no git, parent folder named by parentdir_prefix': () => {
    const dir = join(base, 'myproj-1.2.3');
    setupCfg(dir, ['parentdir_prefix = myproj-']);
    return dir;
  },
  'no git, parentdir_prefix two levels up': () => {
    const dir = join(base, 'myproj-2.0', 'src', 'proj');
    setupCfg(dir, ['parentdir_prefix = myproj-']);
    return dir;
  },
  'no git, no matching parent folder': () => {
    const dir = join(base, 'plain', 'a', 'b', 'c');
    setupCfg(dir, ['parentdir_prefix = myproj-']);
    return dir;
  },
  'expanded git-archive keywords': () => {
    const dir = join(base, 'archive');
    setupCfg(dir, ['tag_prefix = v']);
    mkdirSync(join(dir, 'pkg'));
    writeFileSync(
      join(dir, 'pkg', '_version.py'),
      '    git_refnames = " (HEAD -> master, tag: v2.1, tag: v2.0, tag: vx)"\n' +
        '    git_full = "0123456789abcdef0123456789abcdef01234567"\n' +
        '    git_date = "2024-01-01 10:00:00 +0000"\n',
    );
    return dir;
  },
};

const GIT_DIR_STATE = 'GIT_DIR pointing at another repository';

async function ours(root: string, out: string, styles: string[]): Promise<Record<string, VersionDict>> {
  const config = await readVersioneerConfig(root);
  assert.ok(config, `no versioneer config found in ${root}`);
  const result: Record<string, VersionDict> = {};
  for (const style of styles) {
    result[style] = await getVersions(root, config, style ? { style } : {});
    await writeVersionFile(root, join(out, `${style || 'configured'}.py`), result[style]);
  }
  return result;
}

describe('parity with versioneer 0.28', { skip }, () => {
  before(() => {
    base = mkdtempSync(join(tmpdir(), 'dockconv-version-'));
    writeFileSync(join(base, 'gitconfig'), '');
    Object.assign(process.env, {
      GIT_CONFIG_NOSYSTEM: '1',
      GIT_CONFIG_GLOBAL: join(base, 'gitconfig'),
      GIT_CEILING_DIRECTORIES: dirname(base),
      GIT_AUTHOR_NAME: 'Test',
      GIT_AUTHOR_EMAIL: 'test@example.com',
      GIT_COMMITTER_NAME: 'Test',
      GIT_COMMITTER_EMAIL: 'test@example.com',
    });
    delete process.env.GIT_DIR;
  });
  after(() => rmSync(base, { recursive: true, force: true }));

  const styles = ['', ...STYLES];
  for (const [name, build] of Object.entries(STATES)) {
    it(name, async (t) => {
      const root = build();
      const out = join(base, 'out', name.replace(/[^a-z0-9]+/gi, '-'));
      mkdirSync(out, { recursive: true });
      if (name === GIT_DIR_STATE) process.env.GIT_DIR = join(base, 'exact', '.git');
      const mine = await ours(root, out, styles).finally(() => delete process.env.GIT_DIR);
      const env = name === GIT_DIR_STATE ? { ...process.env, GIT_DIR: join(base, 'exact', '.git') } : process.env;
      const py = spawnSync(PYTHON, ['-c', PY, root, out, JSON.stringify(styles)], { encoding: 'utf8', env });
      assert.equal(py.status, 0, py.stderr);
      const theirs = JSON.parse(py.stdout) as Record<string, { versioneer: VersionDict; imported: VersionDict }>;
      t.diagnostic(styles.map((s) => `${s || 'configured'}=${mine[s]?.version}`).join(' '));
      for (const style of styles) {
        const label = style || 'configured';
        assert.deepEqual(mine[style], theirs[style]?.versioneer, `${label}: get_versions()`);
        assert.deepEqual(theirs[style]?.imported, theirs[style]?.versioneer, `${label}: our file imported`);
        const fileOf = (suffix: string): string => readFileSync(join(out, `${label}${suffix}`), 'utf8');
        if (name !== 'tag with a double quote') {
          assert.equal(fileOf('.py'), fileOf('.versioneer.py'), `${label}: file text`);
        }
      }
    });
  }
});
