import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { checkChoice, parseCommandLine, projectNameOf, UsageError, type Command } from './project';

const COMMAND: Command = {
  name: 'demo',
  usage: '[-h] [-f] [-e ENV] image',
  help: 'help text',
  options: { force: { type: 'boolean', short: 'f' }, env: { type: 'string', short: 'e', multiple: true } },
  positionals: ['image'],
};

describe('command lines as dockerutils read them', () => {
  it('names the project after its folder, in lower case', () => {
    assert.equal(projectNameOf('/home/a/My_Proj'), 'my_proj');
  });
  it('reads flags, repeated values and the positional', () => {
    const line = parseCommandLine(COMMAND, ['-f', '-e', 'A=1', '--env', 'B=2', 'dev']);
    assert.equal(line.flag('force'), true);
    assert.deepEqual(line.list('env'), ['A=1', 'B=2']);
    assert.deepEqual(line.positionals, ['dev']);
  });
  it('an unknown flag, a missing or an extra argument is a usage error', () => {
    assert.throws(() => parseCommandLine(COMMAND, ['--nope', 'dev']), UsageError);
    assert.throws(() => parseCommandLine(COMMAND, []), /the following arguments are required: image/);
    assert.throws(() => parseCommandLine(COMMAND, ['a', 'b']), /unrecognized arguments: b/);
  });
  it('an image that is no choice names the choices', () => {
    assert.throws(() => checkChoice('x', ['all', 'dev'], 'image'), /argument image: invalid choice: 'x' \(choose from 'all', 'dev'\)/);
    assert.doesNotThrow(() => checkChoice('dev', ['all', 'dev'], 'image'));
  });
});
