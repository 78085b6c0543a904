/**
 * Pure port of versioneer 0.28's render functions (`render_*`, `plus_or_dot`,
 * `pep440_split_post`, `render`): pieces + style → the version dict. Versioneer writes each
 * style out in full; here the styles that share a shape share one function, and each style's
 * comment gives its shape as versioneer's docstring does. Python truthiness (`0`, `''`, `None`
 * are false) is the same as JavaScript's for the values that occur here; the parity spec runs
 * real versioneer on the same repositories.
 */
import { DockconvError } from '../errors';
import { STYLES, type Pieces, type Style, type VersionDict, isStyle } from './types';

/** Pieces that passed `git describe` parsing: every field render reads is present. */
type GoodPieces = Required<Omit<Pieces, 'closestTag' | 'date'>> & Pick<Pieces, 'closestTag' | 'date'>;

export function plusOrDot(p: GoodPieces): string {
  return (p.closestTag ?? '').includes('+') ? '.' : '+';
}

/** TAG[+DISTANCE.gHEX[.dirty]]; no tags: 0+untagged.DISTANCE.gHEX[.dirty] */
export function renderPep440(p: GoodPieces): string {
  return localVersion(p, false);
}

/** TAG[[.dev0]+DISTANCE.gHEX[.dirty]]; `.dev0` off the branch named exactly "master". */
export function renderPep440Branch(p: GoodPieces): string {
  return localVersion(p, p.branch !== 'master');
}

/** The two styles that put distance and commit in the local version (after `+`). */
function localVersion(p: GoodPieces, dev0: boolean): string {
  const dev = dev0 ? '.dev0' : '';
  const local = `${p.distance}.g${p.short}${p.dirty ? '.dirty' : ''}`;
  if (!p.closestTag) return `0${dev}+untagged.${local}`;
  return p.distance || p.dirty ? `${p.closestTag}${dev}${plusOrDot(p)}${local}` : p.closestTag;
}

/**
 * Splits at ".post": [release, post number or undefined]. Python: `vc[0], int(vc[1] or 0) if
 * len(vc) == 2 else None` — more than one ".post" means "no post segment".
 */
export function pep440SplitPost(ver: string): [string, number | undefined] {
  const vc = ver.split('.post');
  return [vc[0] ?? '', vc.length === 2 ? pythonInt(vc[1] || '0', ver) : undefined];
}

/** Python's `int(str)` for the forms a tag can hold; where Python raises, so do we. */
function pythonInt(s: string, tag: string): number {
  if (!/^\s*[+-]?\d+(_\d+)*\s*$/.test(s)) {
    throw new DockconvError(`tag '${tag}' has a .post segment that is not a number ('${s}')`, {
      hint: 'versioneer fails on such a tag in style pep440-pre too',
    });
  }
  return Number.parseInt(s.trim().replace(/_/g, ''), 10);
}

/** TAG[.postN.devDISTANCE] (no dirty); no tags: 0.post0.devDISTANCE */
export function renderPep440Pre(p: GoodPieces): string {
  if (!p.closestTag) return `0.post0.dev${p.distance}`;
  if (!p.distance) return p.closestTag;
  const [tagVersion, post] = pep440SplitPost(p.closestTag);
  return post !== undefined ? `${tagVersion}.post${post + 1}.dev${p.distance}` : `${tagVersion}.post0.dev${p.distance}`;
}

/** TAG[.postDISTANCE[.dev0]+gHEX]; `.dev0` means dirty. */
export function renderPep440Post(p: GoodPieces): string {
  return postRelease(p, p.dirty, `g${p.short}`);
}

/** TAG[.postDISTANCE[.dev0]+gHEX[.dirty]]; `.dev0` means not on "master". */
export function renderPep440PostBranch(p: GoodPieces): string {
  return postRelease(p, p.branch !== 'master', `g${p.short}${p.dirty ? '.dirty' : ''}`);
}

/** TAG[.postDISTANCE[.dev0]]; `.dev0` means dirty. */
export function renderPep440Old(p: GoodPieces): string {
  return postRelease(p, p.dirty, '');
}

/** The `.postDISTANCE` styles: the tag, and past it the distance, `.dev0` when `dev0`, and `local` after `+`. */
function postRelease(p: GoodPieces, dev0: boolean, local: string): string {
  const post = (plus: string) => `.post${p.distance}${dev0 ? '.dev0' : ''}${local ? plus + local : ''}`;
  if (!p.closestTag) return `0${post('+')}`;
  return p.distance || p.dirty ? p.closestTag + post(plusOrDot(p)) : p.closestTag;
}

/** TAG[-DISTANCE-gHEX][-dirty]; no tags: HEX[-dirty] (no "g"). */
export function renderGitDescribe(p: GoodPieces): string {
  let r: string;
  if (p.closestTag) {
    r = p.closestTag;
    if (p.distance) r += `-${p.distance}-g${p.short}`;
  } else {
    r = p.short;
  }
  return p.dirty ? `${r}-dirty` : r;
}

/** TAG-DISTANCE-gHEX[-dirty], distance always shown; no tags: HEX[-dirty]. */
export function renderGitDescribeLong(p: GoodPieces): string {
  const r = p.closestTag ? `${p.closestTag}-${p.distance}-g${p.short}` : p.short;
  return p.dirty ? `${r}-dirty` : r;
}

const RENDERERS: Record<Style, (p: GoodPieces) => string> = {
  pep440: renderPep440,
  'pep440-branch': renderPep440Branch,
  'pep440-pre': renderPep440Pre,
  'pep440-post': renderPep440Post,
  'pep440-post-branch': renderPep440PostBranch,
  'pep440-old': renderPep440Old,
  'git-describe': renderGitDescribe,
  'git-describe-long': renderGitDescribeLong,
};

/** '' and 'default' mean pep440, as in versioneer; anything else unknown is an error. */
export function normaliseStyle(style: string | undefined): Style {
  if (!style || style === 'default') return 'pep440';
  if (isStyle(style)) return style;
  throw new DockconvError(`unknown versioneer style '${style}'`, { hint: `one of ${STYLES.join(', ')}` });
}

export function render(pieces: Pieces, style: string | undefined): VersionDict {
  if (pieces.error) {
    return { version: 'unknown', 'full-revisionid': pieces.long, dirty: null, error: pieces.error, date: null };
  }
  const good: GoodPieces = { ...pieces, dirty: pieces.dirty ?? false, distance: pieces.distance ?? 0 };
  return {
    version: RENDERERS[normaliseStyle(style)](good),
    'full-revisionid': pieces.long,
    dirty: good.dirty,
    error: null,
    date: pieces.date ?? null,
  };
}
