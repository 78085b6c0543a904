/**
 * The record a per-image build leaves under dist/dockconv/: the Nx output of the task (what a
 * cache hit restores): which image the task left at which reference, built from which inputs. It holds nothing time-dependent, so an
 * unchanged image rewrites the same bytes.
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

export interface ImageRecord {
  project: string;
  image: string;
  ref: string;
  id: string;
  inputs: string;
  builder?: string;
}

export function writeRecord(path: string, record: ImageRecord): void {
  const text = `${JSON.stringify(record, null, 2)}\n`;
  try {
    if (readFileSync(path, 'utf8') === text) return;
  } catch {
    // not there yet
  }
  mkdirSync(dirname(path), { recursive: true });
  const temp = `${path}.${process.pid}.tmp`;
  writeFileSync(temp, text);
  renameSync(temp, path);
}
