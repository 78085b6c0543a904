/**
 * Engine API requests, for what the docker CLI cannot do well: images moving between two engines
 * as streams (save on one, load on the other), what each holds read without a process per
 * question, a container stop that must leave before Nx kills this process. Over ssh the requests
 * of one `EngineApi` share one ssh connection (engineClient). Errors keep the engine's HTTP status
 * (statusOf): 404 is "no such image or container". Loading dockerode costs about 0.1 s, so only
 * code that sends such requests imports this module; the Engine loads it when it first needs it.
 */
import type { Readable } from 'node:stream';
import Docker, { type DockerOptions } from 'dockerode';
import type { Endpoint } from './endpoint';
import { SshDialAgent } from './ssh-agent';

export type ImageInspectInfo = Docker.ImageInspectInfo;

/** One entry of `GET /images/{id}/history`, newest layer first. */
export interface HistoryEntry {
  Size: number;
  CreatedBy?: string;
}

/** The parts of `GET /info` read here and by the GPU rules. */
export interface EngineInfo {
  OSType?: string;
  Architecture?: string;
  DriverStatus?: string[][] | null;
  Runtimes?: Record<string, { path?: string; runtimeType?: string; status?: unknown } | undefined> | null;
  /** Engine 25+ (API 1.44): where CDI specs are read from; empty when CDI is off. */
  CDISpecDirs?: string[] | null;
  /** Engine 28.3+ (API 1.50): devices found, e.g. `{Source: 'cdi', ID: 'nvidia.com/gpu=all'}`. */
  DiscoveredDevices?: { Source?: string; ID?: string }[] | null;
}

export interface EngineApi {
  readonly endpoint: Endpoint;
  ping(): Promise<unknown>;
  info(): Promise<EngineInfo>;
  /** The API version the engine speaks (`1.44`). */
  apiVersion(): Promise<string>;
  /** `manifests`: list a multi-platform image's platforms (Engine 28 on; older engines ignore it). */
  inspectImage(ref: string, opts?: { manifests?: boolean }): Promise<ImageInspectInfo>;
  imageHistory(id: string): Promise<HistoryEntry[]>;
  /** Every image, intermediate ones included. */
  listImages(): Promise<{ Id: string; Created: number }[]>;
  /** `docker save` of these names, as the engine writes it. */
  saveImages(names: readonly string[]): Promise<Readable>;
  /** `docker load` of an archive stream; resolves to the engine's (quiet) progress stream. */
  loadImages(archive: NodeJS.ReadableStream): Promise<NodeJS.ReadableStream>;
  tagImage(id: string, tag: { repo: string; tag: string }): Promise<void>;
  stopContainer(name: string, seconds: number): Promise<void>;
  /** Closes what the client keeps open (an ssh connection). */
  close(): void;
}

export interface EngineClient {
  docker: Docker;
  /** Closes what the client keeps open (an ssh connection). */
  close(): void;
}

/**
 * A client for several requests: over ssh they share one ssh process and its dial-stdio stream
 * (ssh-agent.ts), the way the docker CLI talks to an ssh:// engine.
 */
export function engineClient(endpoint: Endpoint): EngineClient {
  if (!endpoint.ssh) return { docker: new Docker(endpoint.options), close: () => undefined };
  const agent = new SshDialAgent(endpoint.ssh);
  // docker-modem uses an `agent` it is given; dockerode's typings leave the option out. The host
  // only fills the requests' Host header: the agent decides where they go.
  const http: DockerOptions & { agent: SshDialAgent } = { protocol: 'http', host: 'docker', port: 80, agent };
  return { docker: new Docker(http), close: () => agent.close() };
}

/** dockerode's typings leave out GET /images/get (save of several images). */
interface SaveRequest {
  getImages(opts: { names: string[] }): Promise<NodeJS.ReadableStream>;
}

export function openEngineApi(endpoint: Endpoint): EngineApi {
  const client = engineClient(endpoint);
  const { docker } = client;
  return {
    endpoint,
    ping: () => docker.ping(),
    info: async () => (await docker.info()) as EngineInfo,
    apiVersion: async () => (await docker.version()).ApiVersion ?? '0.0',
    inspectImage: (ref, opts) => docker.getImage(ref).inspect(opts?.manifests ? { manifests: true } : undefined),
    imageHistory: async (id) => (await docker.getImage(id).history()) as HistoryEntry[],
    listImages: () => docker.listImages({ all: true }),
    saveImages: async (names) => (await (docker as unknown as SaveRequest).getImages({ names: [...names] })) as Readable,
    loadImages: (archive) => docker.loadImage(archive, { quiet: true }),
    tagImage: async (id, tag) => {
      await docker.getImage(id).tag(tag);
    },
    stopContainer: async (name, seconds) => {
      await docker.getContainer(name).stop({ t: seconds });
    },
    close: () => client.close(),
  };
}
