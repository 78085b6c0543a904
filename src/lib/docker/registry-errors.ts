/**
 * `docker push` failures told as one line. The docker CLI reads credentials from its config
 * (`$DOCKER_CONFIG/config.json`, else `~/.docker/config.json`) and credential helpers and hands
 * them to the engine; what fails is reported by the engine as text, which is matched here.
 */
import { join } from 'node:path';
import { DockconvError, lastLine } from '../errors';
import { looksLikeHost } from '../model/naming';
import { dockerConfigDir } from './endpoint';

/** The registry host of a reference (`127.0.0.1:5000/x/y:1` → `127.0.0.1:5000`), `docker.io` without one. */
export function registryHost(ref: string): string {
  const first = ref.split('/')[0] ?? '';
  return ref.includes('/') && looksLikeHost(first) ? first : 'docker.io';
}

function dockerConfigFile(env: NodeJS.ProcessEnv): string {
  return join(dockerConfigDir(env), 'config.json');
}

const NO_CREDENTIALS = /no basic auth credentials/i;
// Status codes as words: a digest in the same text (hex) may hold the digits.
const REJECTED = /unauthorized|authentication required|incorrect username or password|\b401\b/i;
const DENIED = /denied|forbidden|\b403\b/i;

/**
 * The registry answered and said no (no credentials, rejected ones, or ones that may not push
 * there): pushing again with the same credentials in the same run gets the same answer.
 */
export function pushRefused(stderr: string): boolean {
  return [NO_CREDENTIALS, REJECTED, DENIED].some((re) => re.test(stderr));
}

/** The one-line error for a failed push of `ref`, from docker's stderr and exit code. */
export function pushFailure(ref: string, stderr: string, exitCode: number, env: NodeJS.ProcessEnv): DockconvError {
  const host = registryHost(ref);
  const text = stderr.trim();
  const login = `docker login ${host === 'docker.io' ? '' : host}`.trim();
  const config = dockerConfigFile(env);
  if (NO_CREDENTIALS.test(text)) {
    return new DockconvError(`push of ${ref} refused: ${host} needs a login and there are no credentials for it`, {
      hint: `run \`${login}\` (credentials are read from ${config} and its credential helpers)`,
    });
  }
  if (REJECTED.test(text)) {
    return new DockconvError(`push of ${ref} refused: ${host} rejected the credentials`, {
      hint: `check the login for ${host} in ${config} (or its credential helper); \`${login}\` replaces it`,
    });
  }
  if (DENIED.test(text)) {
    return new DockconvError(`push of ${ref} refused: access to the repository is denied on ${host}`, {
      hint: 'the login works but may not push there: check the repository name and your permissions',
    });
  }
  if (/server gave HTTP response to HTTPS client/i.test(text)) {
    return new DockconvError(`push of ${ref} failed: ${host} speaks plain HTTP and the engine insists on HTTPS`, {
      hint: `add "${host}" to insecure-registries in the engine's daemon.json (loopback addresses are allowed already)`,
    });
  }
  if (/connection refused|no such host|i\/o timeout|dial tcp|network is unreachable/i.test(text)) {
    return new DockconvError(`push of ${ref} failed: cannot reach ${host}`, { hint: lastLine(text) ?? '' });
  }
  return new DockconvError(`push of ${ref} failed (exit ${exitCode})${text ? `: ${lastLine(text)}` : ''}`);
}

/** The digest `docker push` reports on its last line: `1.0.0: digest: sha256:… size: 527`. */
export function pushedDigest(stdout: string): string | undefined {
  return /digest: (sha256:[0-9a-f]{64})/.exec(stdout)?.[1];
}
