/**
 * The ssh side of a destination: ssh2 connection options for `ssh://` engines, with the host key
 * checked against known_hosts the way a non-interactive `ssh` checks it.
 */
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { DockconvError } from '../errors';
import type { Endpoint } from './destination';
import { checkHostKey, describeKey, lookupName, preferredAlgorithms, readKnownHosts, type HostKeyCheck } from './known-hosts';
import { resolveSshTarget, type SshTarget } from './ssh-target';

/**
 * ssh:// goes through ssh2 and `docker system dial-stdio` on the host, exactly what the docker CLI
 * runs there (docker-modem's ssh transport; engineClient() shares one connection instead). The
 * host, port, user, identity and known_hosts files come from ~/.ssh/config as ssh would take
 * them (ssh-target.ts). Keys: SSH_KEY names an identity file, else the config's IdentityFile,
 * else the ssh agent (SSH_AUTH_SOCK) and the usual ~/.ssh/id_* files. The host key is checked
 * against known_hosts (hostKeyGuard).
 */
export function sshEndpoint(url: URL, env: NodeJS.ProcessEnv): Pick<Endpoint, 'options' | 'hostKeyRefusal'> & { target: SshTarget } {
  const target = resolveSshTarget(url, env);
  const privateKey = identity(target, env);
  const guard = hostKeyGuard(target, env);
  return {
    target,
    options: {
      protocol: 'ssh',
      host: target.host,
      port: target.port,
      username: target.user,
      sshOptions: {
        ...(privateKey ? { privateKey } : {}),
        ...(env['SSH_AUTH_SOCK'] ? { agent: env['SSH_AUTH_SOCK'] } : {}),
        ...(guard.algorithms ? { algorithms: { serverHostKey: guard.algorithms } } : {}),
        hostVerifier: guard.verify,
        readyTimeout: 15000,
      },
    },
    hostKeyRefusal: guard.refusal,
  };
}

/** Set to 1: accept a host that known_hosts does not list (never a changed or revoked key). */
const ACCEPT_NEW_ENV = 'DOCKCONV_SSH_ACCEPT_NEW';

interface HostKeyGuard {
  /** For ssh2's hostVerifier: it passes the raw key blob when no hostHash is set. */
  verify: (key: Buffer) => boolean;
  /** Host key algorithms to offer, known ones first (preferredAlgorithms). */
  algorithms?: ReturnType<typeof preferredAlgorithms>;
  refusal: () => DockconvError | undefined;
}

/**
 * Refuses what ssh in batch mode refuses (the docker CLI runs ssh non-interactively): a host not
 * in known_hosts, a key other than the listed one, a revoked key. Only DOCKCONV_SSH_ACCEPT_NEW=1
 * lets an unlisted host through, for first contact in scripts; nothing is written to known_hosts.
 * The files are read here, once, so that the verdict does not change between connections.
 */
function hostKeyGuard(target: SshTarget, env: NodeJS.ProcessEnv): HostKeyGuard {
  const { host, port } = target;
  const name = lookupName(target.hostKeyAlias ?? host, port);
  const { entries, unreadable } = readKnownHosts(target.knownHostsFiles);
  const acceptNew = env[ACCEPT_NEW_ENV] === '1';
  let refusal: DockconvError | undefined;
  const verify = (key: Buffer): boolean => {
    refusal = unreadable[0]
      ? new DockconvError(`cannot read ${unreadable[0].file} to check the ssh host key of ${host}:${port}: ${unreadable[0].reason}`)
      : refuse(checkHostKey(entries, name, key), key, host, port, acceptNew);
    return refusal === undefined;
  };
  return { verify, algorithms: preferredAlgorithms(entries, name), refusal: () => refusal };
}

function refuse(check: HostKeyCheck, key: Buffer, host: string, port: number, acceptNew: boolean): DockconvError | undefined {
  const where = { file: check.entry?.file, line: check.entry?.line };
  switch (check.verdict) {
    case 'known':
      return undefined;
    case 'unknown':
      if (acceptNew) return undefined;
      return new DockconvError(`ssh host key of ${host}:${port} is not in ~/.ssh/known_hosts`, {
        hint:
          `it shows ${describeKey(key)}; check that fingerprint, then: ssh-keyscan -p ${port} ${host} >> ~/.ssh/known_hosts ` +
          `(or connect once with ssh); ${ACCEPT_NEW_ENV}=1 accepts an unlisted host without recording it`,
      });
    case 'changed':
      return new DockconvError(
        `ssh host key of ${host}:${port} differs from the known one (possible man-in-the-middle); refusing to connect`,
        {
          ...where,
          hint: `it now shows ${describeKey(key)}; only if the host really got a new key: ssh-keygen -R '${lookupName(host, port)}', then add the new one`,
        },
      );
    case 'revoked':
      return new DockconvError(`ssh host key of ${host}:${port} is marked @revoked; refusing to connect`, {
        ...where,
        hint: `it shows ${describeKey(key)}; a revoked key is never accepted: the host needs a new one`,
      });
  }
}

function identity(target: SshTarget, env: NodeJS.ProcessEnv): Buffer | undefined {
  const named = env['SSH_KEY'];
  if (named) {
    if (!existsSync(named)) throw new DockconvError(`SSH_KEY names '${named}', which does not exist`);
    return readFileSync(named);
  }
  const configured = target.identityFiles.find((f) => existsSync(f));
  if (configured) return readFileSync(configured);
  if (env['SSH_AUTH_SOCK']) return undefined;
  const dir = join(env['HOME'] || homedir(), '.ssh');
  const found = ['id_ed25519', 'id_ecdsa', 'id_rsa'].map((f) => join(dir, f)).find((f) => existsSync(f));
  return found ? readFileSync(found) : undefined;
}
