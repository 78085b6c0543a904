/**
 * The flags of `docker run` (CLI 28, which includes every older one), whether they take a value,
 * and which run.cfg key each belongs to. run.cfg values are read against this table so that a
 * flag in the wrong key (`ports = -v a:b`) or a typo (`--volumes`) is an error, not a surprise.
 */

/** run.cfg keys whose values are docker flags (`cmd` is a command, `env` a section name). */
export type FlagKey = 'environment' | 'interactive' | 'gpu' | 'network' | 'volumes' | 'ports' | 'args';

export interface DockerRunFlag {
  long: string;
  short?: string;
  /** Other long spellings docker accepts (`--net` for `--network`). */
  aliases?: string[];
  boolean?: true;
  /** The run.cfg keys it may appear in; `args` takes every flag not owned by the executor. */
  keys: FlagKey[];
}

const ARGS: FlagKey[] = ['args'];

const flag = (long: string, keys: FlagKey[], extra: Partial<DockerRunFlag> = {}): DockerRunFlag => ({ long, keys, ...extra });

/** Flags the executor sets itself: a run.cfg value or option cannot set them. */
export const OWNED_FLAGS: ReadonlyMap<string, string> = new Map([
  ['name', 'the container is named <user>_<image>_<timestamp>'],
  ['rm', 'containers are removed on exit unless the keep option is set'],
  ['help', 'not a run flag'],
]);

const ENVIRONMENT: DockerRunFlag[] = [
  flag('env', ['environment', 'gpu', 'args'], { short: 'e' }),
  flag('env-file', ['environment', 'args']),
];

// -i, -t and -d decide how the executor attaches, so they are read from `interactive` only.
const INTERACTIVE: DockerRunFlag[] = [
  flag('interactive', ['interactive'], { short: 'i', boolean: true }),
  flag('tty', ['interactive'], { short: 't', boolean: true }),
  flag('detach', ['interactive'], { short: 'd', boolean: true }),
  flag('detach-keys', ['interactive', 'args']),
];

const GPU: DockerRunFlag[] = [
  flag('gpus', ['gpu', 'args']),
  flag('runtime', ['gpu', 'args']),
  flag('device', ['gpu', 'args']),
];

const NETWORK: DockerRunFlag[] = [
  flag('network', ['network', 'args'], { aliases: ['net'] }),
  flag('network-alias', ['network', 'args'], { aliases: ['net-alias'] }),
  ...['ip', 'ip6', 'link', 'link-local-ip', 'mac-address', 'add-host', 'dns', 'dns-option', 'dns-search'].map((f) =>
    flag(f, ['network', 'args']),
  ),
];

const VOLUMES: DockerRunFlag[] = [
  flag('volume', ['volumes', 'args'], { short: 'v' }),
  ...['mount', 'volumes-from', 'tmpfs', 'volume-driver'].map((f) => flag(f, ['volumes', 'args'])),
];

const PORTS: DockerRunFlag[] = [
  flag('publish', ['ports', 'args'], { short: 'p' }),
  flag('publish-all', ['ports', 'args'], { short: 'P', boolean: true }),
  flag('expose', ['ports', 'args']),
];

const OTHER_BOOLEAN = ['disable-content-trust', 'init', 'no-healthcheck', 'oom-kill-disable', 'privileged', 'read-only', 'sig-proxy', 'use-api-socket'];
const OTHER_VALUE = [
  'blkio-weight', 'blkio-weight-device', 'cap-add', 'cap-drop', 'cgroup-parent', 'cgroupns', 'cidfile', 'cpu-count',
  'cpu-percent', 'cpu-period', 'cpu-quota', 'cpu-rt-period', 'cpu-rt-runtime', 'cpus', 'cpuset-cpus', 'cpuset-mems',
  'device-cgroup-rule', 'device-read-bps', 'device-read-iops', 'device-write-bps', 'device-write-iops', 'domainname',
  'entrypoint', 'group-add', 'health-cmd', 'health-interval', 'health-retries', 'health-start-interval',
  'health-start-period', 'health-timeout', 'io-maxbandwidth', 'io-maxiops', 'ipc', 'isolation', 'kernel-memory',
  'label-file', 'log-driver', 'log-opt', 'memory-reservation', 'memory-swap', 'memory-swappiness', 'oom-score-adj',
  'pid', 'pids-limit', 'platform', 'pull', 'restart', 'security-opt', 'shm-size', 'stop-signal', 'stop-timeout',
  'storage-opt', 'sysctl', 'ulimit', 'userns', 'uts',
];

// Known to docker, but set by the executor only (see OWNED_FLAGS).
const OWNED: DockerRunFlag[] = [flag('name', []), flag('rm', [], { boolean: true }), flag('help', [], { boolean: true })];

const OTHER: DockerRunFlag[] = [
  flag('attach', ARGS, { short: 'a' }),
  flag('cpu-shares', ARGS, { short: 'c' }),
  flag('hostname', ARGS, { short: 'h' }),
  flag('label', ARGS, { short: 'l' }),
  flag('memory', ARGS, { short: 'm' }),
  flag('quiet', ARGS, { short: 'q', boolean: true }),
  flag('user', ARGS, { short: 'u' }),
  flag('workdir', ARGS, { short: 'w' }),
  ...OTHER_BOOLEAN.map((f) => flag(f, ARGS, { boolean: true })),
  ...OTHER_VALUE.map((f) => flag(f, ARGS)),
];

export const DOCKER_RUN_FLAGS: readonly DockerRunFlag[] = [...ENVIRONMENT, ...INTERACTIVE, ...GPU, ...NETWORK, ...VOLUMES, ...PORTS, ...OWNED, ...OTHER];

const BY_NAME = new Map<string, DockerRunFlag>();
for (const f of DOCKER_RUN_FLAGS) for (const name of [f.long, f.short, ...(f.aliases ?? [])]) if (name) BY_NAME.set(name, f);

/** The flag spelled `name` (without dashes: `v`, `volume`, `net`), if docker run has it. */
export function lookupFlag(name: string): DockerRunFlag | undefined {
  return BY_NAME.get(name);
}
