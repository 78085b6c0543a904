import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DockconvError } from '../errors';
import { formatCommand } from '../text/shown';
import type { FlagKey } from './docker-run-flags';
import { flagsToArgv, parseFlags } from './flags';
import { splitWords } from '../text/shell-words';

const env = { TOKEN: 's3cret' };
const where = { file: 'docker/run.cfg', line: 7 };

function argv(text: string, key: FlagKey = 'args'): string {
  const flags = parseFlags(splitWords(text), { keyName: key, key, where, replacements: { workdir: '/app' }, env });
  return formatCommand(flagsToArgv(flags));
}

function failure(text: string, key: FlagKey): string {
  try {
    argv(text, key);
  } catch (err) {
    return (err as DockconvError).describe();
  }
  return 'no error';
}

describe('parseFlags: run.cfg values as docker run flags', () => {
  const cases: [FlagKey, string, string][] = [
    ['environment', '-e A=1 --env B=2 --env=C=3 -eD=4', '-e A=1 -e B=2 -e C=3 -e D=4'],
    ['environment', '-e TOKEN=$TOKEN -e PASS', '-e TOKEN=${TOKEN} -e PASS'],
    ['environment', '--env-file .env -e A=1', '--env-file .env -e A=1'],
    ['volumes', '-v /h:{workdir} --volume=/x:/y:ro --mount type=tmpfs,dst=/t', '-v /h:/app -v /x:/y:ro --mount type=tmpfs,dst=/t'],
    ['ports', '-p 80:80 -p8443:443 -P --expose 9000', '-p 80:80 -p 8443:443 -P --expose 9000'],
    ['network', '--net host --network-alias web', '--network host --network-alias web'],
    ['interactive', '-it', '-i -t'],
    ['interactive', '-d', '-d'],
    ['gpu', '--gpus device=1 -e NVIDIA_DRIVER_CAPABILITIES=all', '--gpus device=1 -e NVIDIA_DRIVER_CAPABILITIES=all'],
    ['args', '--shm-size 1g --privileged --sig-proxy=false -u 1000:1000', '--shm-size 1g --privileged --sig-proxy=false -u 1000:1000'],
    ['args', '--entrypoint "" -w /tmp', "--entrypoint '' -w /tmp"],
    ['args', '', ''],
  ];
  for (const [key, text, expected] of cases) {
    it(`${key} = ${text}`, () => assert.equal(argv(text, key), expected));
  }

  it('keeps every value of a repeated flag in order, flags in the order they first appear', () => {
    assert.equal(argv('-v a:a -e X=1 -v b:b'), '-v a:a -v b:b -e X=1');
  });

  const errors: [FlagKey, string, string][] = [
    ['ports', '-v /a:/b', `docker/run.cfg:7: '-v' does not belong in ports (put it in volumes or args)`],
    ['volumes', '--volumes /a:/b', `docker/run.cfg:7: '--volumes' in volumes is not a docker run flag (did you mean --volume?)`],
    ['args', '-it', `docker/run.cfg:7: '-i' does not belong in args (put it in interactive)`],
    ['args', '--name x', `docker/run.cfg:7: '--name' cannot be set in args (the container is named <user>_<image>_<timestamp>)`],
    ['args', '--rm', `docker/run.cfg:7: '--rm' cannot be set in args (containers are removed on exit unless the keep option is set)`],
    ['volumes', '-v', 'docker/run.cfg:7: --volume in volumes needs a value'],
    ['ports', '8080:80', `docker/run.cfg:7: '8080:80' in ports is not a docker flag or a flag's value (the command to run belongs in cmd (or the command option))`],
    ['environment', '-x', `docker/run.cfg:7: '-x' in environment is not a docker run flag`],
    ['environment', '-e A=$UNSET', 'docker/run.cfg:7: environment variable $UNSET is not set (set it, or write ${UNSET:-default})'],
  ];
  for (const [key, text, message] of errors) {
    it(`error: ${key} = ${text}`, () => assert.equal(failure(text, key), message));
  }
});
