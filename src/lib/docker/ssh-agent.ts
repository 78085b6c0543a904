/**
 * One ssh process per engine for a whole transfer. Each connection docker-modem asks for is an
 * `ssh … docker system dial-stdio` child, as the docker CLI dials; kept alive from request to
 * request (HTTP keep-alive, one stream), a transfer logs in once. A login per request cost about
 * 80 ms on loopback: planning against a destination with 40 images took 3.3 s that way.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { Agent, type ClientRequestArgs } from 'node:http';
import { Duplex } from 'node:stream';
import { DockconvError } from '../errors';
import { DIAL_STDIO, sshFailure, type SshDial } from './ssh-command';

/**
 * One stream, requests in turn. Measured on loopback: planning against 40 images took 0.5 s so,
 * and 2.3–3 s with two to eight streams at once (their small packets wait on each other).
 */
const MAX_STREAMS = 1;

export class SshDialAgent extends Agent {
  constructor(private readonly dial: SshDial) {
    super({ keepAlive: true, maxSockets: MAX_STREAMS });
  }

  override createConnection(_options: ClientRequestArgs): Duplex {
    return new SshStdio(spawn('ssh', [...this.dial.args, ...DIAL_STDIO], { env: this.dial.env }), this.dial);
  }

  /** Ends every dial (ssh exits when its stdin closes); an idle one would keep the process alive. */
  close(): void {
    this.destroy();
  }
}

/** How long an ended dial may take to exit before it is killed. */
const EXIT_GRACE_MS = 2000;

/**
 * The ssh child's stdout and stdin as one socket for Node's HTTP client. Its end is held back
 * until ssh has exited, so that a failed dial reports ssh's reason, not "socket hang up".
 */
class SshStdio extends Duplex {
  private stderr = '';

  constructor(
    private readonly child: ChildProcessWithoutNullStreams,
    private readonly dial: SshDial,
  ) {
    super();
    child.stdout.on('data', (chunk: Buffer) => {
      if (!this.push(chunk)) child.stdout.pause();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      this.stderr = (this.stderr + chunk.toString('utf8')).slice(-8000);
    });
    // A write after ssh died fails with EPIPE; the exit below says why it died.
    child.stdin.on('error', () => undefined);
    child.on('error', (err: NodeJS.ErrnoException) => {
      this.destroy(
        err.code === 'ENOENT'
          ? new DockconvError('ssh:// engines need the ssh client, and there is no `ssh` on PATH', { hint: 'Debian: apt-get install openssh-client' })
          : err,
      );
    });
    child.on('close', (code: number | null, signal: NodeJS.Signals | null) => {
      if (this.destroyed) return;
      if (code === 0) this.push(null);
      else this.destroy(code === null ? new Error(`ssh ended by ${signal ?? 'a signal'}`) : sshFailure(this.stderr, code, this.dial.route));
    });
  }

  override _read(): void {
    this.child.stdout.resume();
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (err?: Error | null) => void): void {
    this.child.stdin.write(chunk, () => callback());
  }

  override _final(callback: (err?: Error | null) => void): void {
    this.child.stdin.end(() => callback());
  }

  override _destroy(err: Error | null, callback: (err?: Error | null) => void): void {
    this.child.stdin.end();
    if (this.child.exitCode === null) setTimeout(() => this.child.kill(), EXIT_GRACE_MS).unref();
    this.unref();
    callback(err);
  }

  // What Node's HTTP client calls on a socket beyond the stream interface. An idle kept-alive
  // dial is unreferenced, as a kept-alive TCP socket is, so that it never holds the process open.
  setKeepAlive(): this {
    return this;
  }

  setNoDelay(): this {
    return this;
  }

  setTimeout(): this {
    return this;
  }

  ref(): this {
    for (const handle of [this.child, this.child.stdout, this.child.stdin, this.child.stderr]) (handle as { ref?: () => void }).ref?.();
    return this;
  }

  unref(): this {
    for (const handle of [this.child, this.child.stdout, this.child.stdin, this.child.stderr]) (handle as { unref?: () => void }).unref?.();
    return this;
  }
}
