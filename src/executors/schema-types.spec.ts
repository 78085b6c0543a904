/**
 * Each executor's schema.d.ts (the options type its code reads) says what its schema.json (what
 * Nx validates and shows) says: the same options, the same required ones, the same types.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';

interface JsonProperty {
  type?: string;
  items?: { type?: string; oneOf?: JsonProperty[] };
  oneOf?: JsonProperty[];
  enum?: unknown[];
}

/** A schema.json property as a TypeScript type, its union members sorted. */
function jsonType(p: JsonProperty): string[] {
  if (p.oneOf) return p.oneOf.flatMap(jsonType).sort();
  if (p.enum) return p.enum.map((v) => JSON.stringify(v).replace(/"/g, "'")).sort();
  if (p.type === 'array' && p.items?.oneOf) return [`(${p.items.oneOf.flatMap(jsonType).sort().join('|')})[]`];
  if (p.type === 'array') return [`${p.items?.type ?? 'unknown'}[]`];
  return [p.type ?? 'unknown'];
}

/** A TypeScript type's text the same way: no spaces, union members sorted (inside `(…)[]` too). */
function tsType(text: string): string[] {
  const compact = text.replace(/\s+/g, '');
  const array = /^\((.*)\)\[\]$/.exec(compact);
  if (array?.[1]) return [`(${array[1].split('|').sort().join('|')})[]`];
  return topLevelUnion(compact).sort();
}

/** `A|B<C|D>` → `A`, `B<C|D>`: a union's members, not splitting inside `<…>` or `(…)`. */
function topLevelUnion(text: string): string[] {
  const members: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '<' || c === '(') depth++;
    else if (c === '>' || c === ')') depth--;
    else if (c === '|' && depth === 0) {
      members.push(text.slice(start, i));
      start = i + 1;
    }
  }
  return [...members, text.slice(start)];
}

function declared(file: string): Map<string, { optional: boolean; type: string[] }> {
  const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
  const members = new Map<string, { optional: boolean; type: string[] }>();
  source.forEachChild((node) => {
    if (!ts.isInterfaceDeclaration(node)) return;
    for (const m of node.members) {
      if (!ts.isPropertySignature(m) || !m.type) continue;
      const type = tsType(m.type.getText(source));
      members.set(m.name.getText(source), { optional: m.questionToken !== undefined, type });
    }
  });
  return members;
}

describe('schema.d.ts agrees with schema.json', () => {
  for (const executor of readdirSync(__dirname, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name)) {
    it(executor, () => {
      const schema = JSON.parse(readFileSync(join(__dirname, executor, 'schema.json'), 'utf8')) as { properties: Record<string, JsonProperty>; required?: string[] };
      const types = declared(join(__dirname, executor, 'schema.d.ts'));
      // Internal options (set by the plugin's targets) may be typed without being shown.
      const shown = [...types.keys()].filter((k) => k in schema.properties);
      assert.deepEqual(Object.keys(schema.properties).sort(), shown.sort(), 'the same options');
      for (const [name, property] of Object.entries(schema.properties)) {
        const t = types.get(name);
        assert.equal(t?.optional, !(schema.required ?? []).includes(name), `${name}: required in one, optional in the other`);
        // An enum may be typed by a named union (`style?: Style`), an object by its shape.
        if (property.enum && t?.type.length === 1 && /^[A-Z]\w*$/.test(t.type[0] ?? '')) continue;
        if (property.type === 'object' && t?.type.length === 1 && /^(Record<|[A-Z])/.test(t.type[0] ?? '')) continue;
        assert.deepEqual(t?.type, jsonType(property), `${name}: types differ`);
      }
    });
  }
});
