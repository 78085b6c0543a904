/**
 * One ssh connection per engine for a whole transfer. docker-modem's own ssh transport opens a
 * new ssh connection (handshake, authentication, a `docker system dial-stdio` process on the
 * host) for every API request: about 80 ms each on loopback, so planning against a destination
 * with 40 images took 3.3 s, and one with 400 would take half a minute. Here the requests share
 * one ssh connection and one `dial-stdio` stream, kept open from request to request (HTTP
 * keep-alive), as the docker CLI does over ssh.
 */
import { Agent, type ClientRequestArgs } from 'node:http';
import type { Duplex } from 'node:stream';
import { Client, type ClientChannel, type ConnectConfig } from 'ssh2';

/**
 * One stream, requests in turn. Measured on loopback: planning against 40 images took 0.5 s so,
 * and 2.3–3 s with two to eight streams at once (their small packets wait on each other).
 */
const MAX_STREAMS = 1;

export class SshDockerAgent extends Agent {
  private connection?: Promise<Client>;
  private client?: Client;

  constructor(private readonly config: ConnectConfig) {
    super({ keepAlive: true, maxSockets: MAX_STREAMS });
  }

  /** Asynchronous, as Node's Agent allows: the socket arrives through the callback. */
  override createConnection(_options: ClientRequestArgs, callback?: (err: Error | null, stream: Duplex) => void): undefined {
    this.connect()
      .then(dialStdio)
      .then(
        (stream) => callback?.(null, asSocket(stream)),
        // Node's Agent reads only the error on failure; its typing still asks for a stream.
        (err: unknown) => callback?.(err instanceof Error ? err : new Error(String(err)), undefined as never),
      );
    return undefined;
  }

  /** The dial-stdio stream is kept for reuse without touching the socket options it lacks. */
  override keepSocketAlive(): boolean {
    return true;
  }

  override reuseSocket(): void {
    // A channel has no ref/unref; the ssh connection itself is closed by close().
  }

  /** Ends the ssh connection; without this the open streams would keep the process alive. */
  close(): void {
    this.destroy();
    this.client?.end();
  }

  private connect(): Promise<Client> {
    this.connection ??= new Promise<Client>((resolve, reject) => {
      const client = new Client();
      this.client = client;
      client.once('ready', () => resolve(client));
      // Kept for the connection's life: an error after 'ready' fails the open requests (their
      // streams close), and must not go unhandled.
      client.on('error', reject);
      client.connect(this.config);
    });
    return this.connection;
  }
}

const DIAL = 'docker system dial-stdio';

function dialStdio(client: Client): Promise<ClientChannel> {
  return new Promise((resolve, reject) => {
    client.exec(DIAL, (err, stream) => (err ? reject(err) : resolve(failsWithStderr(stream))));
  });
}

/**
 * When the host cannot run the dial (no docker CLI on its PATH, a user outside the docker group),
 * the request would only see its stream close ("socket hang up"); the host's own words say why.
 */
function failsWithStderr(stream: ClientChannel): ClientChannel {
  let stderr = '';
  stream.stderr.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString('utf8')).slice(-2000);
  });
  stream.on('exit', (code: number | null) => {
    if (!code) return;
    const said = stderr.trim().split('\n').at(-1);
    stream.emit('error', new Error(`\`${DIAL}\` on the host exited ${code}${said ? `: ${said}` : ''}`));
    stream.destroy();
  });
  return stream;
}

/** What Node's HTTP client calls on a socket beyond the stream interface. */
function asSocket(stream: ClientChannel): Duplex {
  const socket = stream as ClientChannel & Record<string, unknown>;
  for (const method of ['setKeepAlive', 'setNoDelay', 'setTimeout', 'ref', 'unref']) {
    socket[method] ??= () => socket;
  }
  return stream;
}
