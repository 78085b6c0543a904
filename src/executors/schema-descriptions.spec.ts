import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** What `nx show project` and Nx Console show for an option: its schema.json description. */
function description(executor: string, option: string): string {
  const schema = JSON.parse(readFileSync(join(__dirname, executor, 'schema.json'), 'utf8')) as { properties: Record<string, { description?: string }> };
  return schema.properties[option]?.description ?? '';
}

describe('option descriptions say how braces read', () => {
  for (const option of ['command', 'args']) {
    it(`docker-run ${option}: the brace rule`, () => {
      const text = description('docker-run', option);
      for (const part of ['{name}', 'inside single quotes too', 'unknown {identifier} is an error', '{{ and }} are literal braces', 'any other brace goes through as written']) {
        assert.ok(text.replace(/ \([^)]*\)/g, '').includes(part), `${option} lacks "${part}": ${text}`);
      }
    });
  }
  for (const [executor, option] of [['docker-run', 'env'], ['docker-build', 'buildArgs']] as const) {
    it(`${executor} ${option}: passed as given, no replacement`, () => {
      assert.match(description(executor, option), /Passed as given: no \{name\}/);
    });
  }
});
