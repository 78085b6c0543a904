/**
 * Transfer progress: a cli-progress bar on a terminal (bytes, rate, ETA, layers skipped), plain
 * lines otherwise (CI logs, Nx's captured output), at most one every few seconds.
 */
import { SingleBar } from 'cli-progress';

export interface Progress {
  /** Raw (uncompressed) archive bytes read so far and compressed bytes sent so far. */
  update(rawBytes: number, sentBytes: number): void;
  layerSkipped(): void;
  stop(): void;
}

export interface ProgressOptions {
  /** Estimated raw bytes of the layers that travel (for percentage and ETA). */
  total: number;
  mode: 'tty' | 'plain' | 'none';
  log: (line: string) => void;
  stream?: NodeJS.WritableStream;
}

export function progressMode(stream: NodeJS.WriteStream = process.stderr): 'tty' | 'plain' {
  return stream.isTTY && !process.env['CI'] ? 'tty' : 'plain';
}

export function createProgress(opts: ProgressOptions): Progress {
  if (opts.mode === 'none') return { update: () => undefined, layerSkipped: () => undefined, stop: () => undefined };
  return opts.mode === 'tty' ? barProgress(opts) : lineProgress(opts);
}

function barProgress(opts: ProgressOptions): Progress {
  const started = Date.now();
  let skipped = 0;
  let sent = 0;
  const bar = new SingleBar({
    format: 'transfer [{bar}] {percentage}% | {sent} sent, {rate} | ETA {eta_formatted} | {skipped} layers skipped',
    stream: opts.stream ?? process.stderr,
    hideCursor: true,
    etaBuffer: 50,
  });
  const payload = () => ({ sent: formatBytes(sent), rate: `${formatBytes(rate(sent, started))}/s`, skipped });
  bar.start(Math.max(opts.total, 1), 0, payload());
  return {
    update(raw, sentBytes) {
      sent = sentBytes;
      if (raw > bar.getTotal()) bar.setTotal(raw);
      bar.update(raw, payload());
    },
    layerSkipped() {
      skipped += 1;
      bar.update(payload());
    },
    stop() {
      bar.update(bar.getTotal(), payload());
      bar.stop();
    },
  };
}

function lineProgress(opts: ProgressOptions): Progress {
  const started = Date.now();
  let last = started;
  let skipped = 0;
  let state = { raw: 0, sent: 0 };
  const print = () => {
    const pct = opts.total > 0 ? ` ${Math.min(100, Math.round((100 * state.raw) / opts.total))}%` : '';
    opts.log(`transfer:${pct} ${formatBytes(state.sent)} sent (${formatBytes(rate(state.sent, started))}/s), ${skipped} layers skipped`);
  };
  return {
    update(raw, sent) {
      state = { raw, sent };
      if (Date.now() - last < 5000) return;
      last = Date.now();
      print();
    },
    layerSkipped() {
      skipped += 1;
    },
    stop: print,
  };
}

function rate(bytes: number, since: number): number {
  const seconds = (Date.now() - since) / 1000;
  return seconds > 0 ? bytes / seconds : 0;
}

export function formatBytes(n: number): string {
  const units = ['B', 'kB', 'MB', 'GB', 'TB'];
  let value = n;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit += 1;
  }
  return `${value >= 100 || unit === 0 ? Math.round(value) : value.toFixed(1)} ${units[unit]}`;
}
