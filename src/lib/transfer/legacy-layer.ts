/**
 * Recognising the layer folders of the classic `docker save` format. Their names are legacy "v1
 * IDs", not diff IDs: the engine computes each as the SHA-256 of the folder's own `json` file
 * with `id` removed, `parent` as a digest and `layer_id` (the chain ID) added, keys sorted (Go's
 * map encoding). The folder's `json` entry precedes its `layer.tar` in the archive (the engine
 * tars a folder in name order: VERSION, json, layer.tar), so a folder can be identified before
 * its layer content streams past, without buffering it.
 */
import { createHash } from 'node:crypto';

/** The chain ID (one of `candidates`) whose v1 ID is `folder`, or undefined when none matches. */
export function legacyLayerChain(folder: string, json: string, candidates: Iterable<string>): string | undefined {
  let members: [string, string][];
  try {
    members = topLevelMembers(json);
  } catch {
    return undefined;
  }
  // `os` was added after the ID was computed for all but the top layer, so try without and with it.
  const variants = [members.filter(([k]) => k !== 'os'), members];
  for (const chainId of candidates) {
    for (const variant of variants) {
      if (v1Id(variant, chainId) === folder) return chainId;
    }
  }
  return undefined;
}

function v1Id(members: readonly [string, string][], chainId: string): string {
  const fields = members
    .filter(([k]) => k !== 'id')
    .map(([k, v]): [string, string] => (k === 'parent' ? [k, JSON.stringify(`sha256:${JSON.parse(v) as string}`)] : [k, v]));
  fields.push(['layer_id', JSON.stringify(chainId)]);
  fields.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const canonical = `{${fields.map(([k, v]) => `${JSON.stringify(k)}:${v}`).join(',')}}`;
  return createHash('sha256').update(canonical).digest('hex');
}

/**
 * The top-level members of a compact JSON object, each value as its *raw text*: re-encoding
 * parsed values would not reproduce Go's escaping (`&` → `\u0026`) byte for byte.
 */
export function topLevelMembers(text: string): [string, string][] {
  const out: [string, string][] = [];
  let i = skipSpace(text, 0);
  if (text[i] !== '{') throw new Error('not an object');
  i = skipSpace(text, i + 1);
  while (text[i] !== '}') {
    const keyEnd = skipValue(text, i);
    const key = JSON.parse(text.slice(i, keyEnd)) as string;
    i = skipSpace(text, keyEnd);
    if (text[i] !== ':') throw new Error('expected :');
    const start = skipSpace(text, i + 1);
    const end = skipValue(text, start);
    out.push([key, text.slice(start, end)]);
    i = skipSpace(text, end);
    if (text[i] === ',') i = skipSpace(text, i + 1);
    else if (text[i] !== '}') throw new Error('expected , or }');
  }
  return out;
}

function skipSpace(text: string, i: number): number {
  while (i < text.length && /\s/.test(text[i] ?? '')) i++;
  return i;
}

/** The index just past the JSON value starting at `i`. */
function skipValue(text: string, i: number): number {
  const c = text[i];
  if (c === undefined) throw new Error('unexpected end');
  if (c === '"') return skipString(text, i);
  if (c === '{' || c === '[') return skipNested(text, i);
  let j = i;
  while (j < text.length && !/[\s,}\]]/.test(text[j] ?? '')) j++;
  return j;
}

function skipString(text: string, i: number): number {
  let j = i + 1;
  while (j < text.length && text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
  if (j >= text.length) throw new Error('unterminated string');
  return j + 1;
}

function skipNested(text: string, i: number): number {
  let depth = 0;
  let j = i;
  do {
    const c = text[j];
    if (c === undefined) throw new Error('unterminated value');
    if (c === '"') {
      j = skipString(text, j);
      continue;
    }
    if (c === '{' || c === '[') depth++;
    else if (c === '}' || c === ']') depth--;
    j++;
  } while (depth > 0);
  return j;
}
