/**
 * Versioneer's version sources other than live git, in the order `get_versions()` tries them
 * around git: expanded `git archive` keywords in `versionfile_source`, a short (already
 * rendered) `versionfile_source`, and — after git — the parent folder's name.
 */
import { readFile } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
import { DockconvError } from '../errors';
import { toIsoDate } from './pieces';
import type { VersionDict } from './types';

async function readText(file: string): Promise<string | undefined> {
  try {
    return await readFile(file, 'utf8');
  } catch {
    return undefined;
  }
}

/** `git_get_keywords`: the `git_refnames`/`git_full`/`git_date` string assignments, by line. */
export function readKeywords(text: string): Map<string, string> {
  const keywords = new Map<string, string>();
  for (const line of text.split(/\r\n|\r|\n/)) {
    for (const name of ['refnames', 'full', 'date']) {
      if (!line.trim().startsWith(`git_${name} =`)) continue;
      const m = /=\s*"(.*)"/.exec(line);
      if (m) keywords.set(name, m[1] ?? '');
    }
  }
  return keywords;
}

/** `git_versions_from_keywords`; undefined where versioneer raises NotThisMethod. */
export function versionsFromKeywords(keywords: Map<string, string>, tagPrefix: string): VersionDict | undefined {
  const refnamesRaw = keywords.get('refnames');
  if (refnamesRaw === undefined) return undefined;
  const dateKw = keywords.get('date');
  const date = dateKw === undefined ? null : toIsoDate(dateKw.split(/\r\n|\r|\n/).pop() ?? '');
  const refnames = refnamesRaw.trim();
  if (refnames.startsWith('$Format')) return undefined;
  const full = (keywords.get('full') ?? '').trim();
  for (const ref of candidateTags(refnames)) {
    if (!ref.startsWith(tagPrefix)) continue;
    const r = ref.slice(tagPrefix.length);
    // Skip refs equal to the prefix or not starting with a digit once it is stripped.
    if (!/^\p{Nd}/u.test(r)) continue;
    return { version: r, 'full-revisionid': full, dirty: false, error: null, date };
  }
  return { version: '0+unknown', 'full-revisionid': full, dirty: false, error: 'no suitable tags', date: null };
}

/** "(HEAD -> master, tag: v1.0)" → tags, sorted as Python sorts str; without "tag: " refs, any ref holding a digit. */
function candidateTags(refnames: string): string[] {
  const refs = new Set(stripChars(refnames, '()').split(',').map((r) => r.trim()));
  let tags = [...refs].filter((r) => r.startsWith('tag: ')).map((r) => r.slice('tag: '.length));
  if (tags.length === 0) tags = [...refs].filter((r) => /\p{Nd}/u.test(r));
  return [...new Set(tags)].sort(comparePython);
}

function stripChars(s: string, chars: string): string {
  let a = 0;
  let b = s.length;
  while (a < b && chars.includes(s[a] ?? '')) a++;
  while (b > a && chars.includes(s[b - 1] ?? '')) b--;
  return s.slice(a, b);
}

/** Python compares str by code point; JavaScript's default sort by UTF-16 unit differs past the BMP. */
function comparePython(a: string, b: string): number {
  const x = [...a].map((c) => c.codePointAt(0) ?? 0);
  const y = [...b].map((c) => c.codePointAt(0) ?? 0);
  for (let i = 0; i < Math.min(x.length, y.length); i++) if (x[i] !== y[i]) return (x[i] ?? 0) - (y[i] ?? 0);
  return x.length - y.length;
}

/** `versions_from_file`: the JSON between `version_json = '''` and `'''  # END VERSION_JSON`. */
export function versionsFromShortFile(text: string, file: string): VersionDict | undefined {
  const m = /version_json = '''\r?\n([\s\S]*)''' {2}# END VERSION_JSON/.exec(text);
  if (!m) return undefined;
  try {
    return JSON.parse(m[1] ?? '') as VersionDict;
  } catch (err) {
    throw new DockconvError(`version_json is not valid JSON: ${(err as Error).message}`, { file });
  }
}

/** Keywords first, then a short file, as versioneer does before asking git. */
export async function versionsFromVersionFile(file: string, tagPrefix: string): Promise<VersionDict | undefined> {
  const text = await readText(file);
  if (text === undefined) return undefined;
  return versionsFromKeywords(readKeywords(text), tagPrefix) ?? versionsFromShortFile(text, file);
}

/** `versions_from_parentdir`: the root or one of its two parents named `<prefix><version>`. */
export function versionsFromParentdir(prefix: string, root: string): VersionDict | undefined {
  let dir = root;
  for (let i = 0; i < 3; i++) {
    const name = basename(dir);
    if (name.startsWith(prefix)) {
      return { version: name.slice(prefix.length), 'full-revisionid': null, dirty: false, error: null, date: null };
    }
    dir = dirname(dir);
  }
  return undefined;
}
