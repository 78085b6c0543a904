import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DockconvError } from '../errors';
import { expand } from './variables';
import { splitWords } from './shell-words';

const expandAll = (text: string): string[] => splitWords(text).map((w) => expand(w, { user: 'alice' }, { HOME: '/home/a' }).value);

describe('splitWords', () => {
  const cases: [string, string[]][] = [
    ['-v a:b  -p 80:80', ['-v', 'a:b', '-p', '80:80']],
    [`sh -c 'echo $HOME; ls'`, ['sh', '-c', 'echo $HOME; ls']],
    ['sh -c "echo $HOME"', ['sh', '-c', 'echo /home/a']],
    ['echo \\$HOME a\\ b', ['echo', '$HOME', 'a b']],
    [`-e "A=two  words" -e B='x"y'`, ['-e', 'A=two  words', '-e', 'B=x"y']],
    ['"" x', ['', 'x']],
    ['-e U={user}', ['-e', 'U=alice']],
    [`'{user}'`, ['alice']],
    [`"{user}" \\{user} '{{user}}'`, ['alice', 'alice', '{user}']],
    [`awk '{print $1}' f`, ['awk', '{print $1}', 'f']],
    [`sh -c 'echo "\${HOSTNAME:-none}"'`, ['sh', '-c', 'echo "${HOSTNAME:-none}"']],
    [`python -c "print({'a': 1})"`, ['python', '-c', "print({'a': 1})"]],
    ['-v a:b\n  -v c:d', ['-v', 'a:b', '-v', 'c:d']],
    ['a\\\nb', ['ab']],
    ['"a\\"b\\\\c\\d"', ['a"b\\c\\d']],
    ['', []],
  ];
  for (const [text, words] of cases) {
    it(JSON.stringify(text), () => assert.deepEqual(expandAll(text), words));
  }

  it('an unterminated quote is an error with the place', () => {
    assert.throws(
      () => splitWords(`sh -c 'echo`, { file: 'run.cfg', line: 3 }),
      (err: DockconvError) => err.describe() === `run.cfg:3: unterminated single quote in 'sh -c 'echo'`,
    );
  });

  it('single-quoted $ stays literal for the container, shown so when printed', () => {
    const [word] = splitWords(`'$(id) $HOME'`);
    assert.deepEqual(expand(word ?? '', {}, {}), { value: '$(id) $HOME', shown: '\\$(id) \\$HOME' });
  });
});
