/**
 * `node dist/cli/gen-version.js [projectRoot] [--style S] [--output F]`: the gen-version work
 * without Nx, for scripts and CI steps that only need the version. Prints versioneer's dict as
 * JSON; with --output also writes the `_version.py.bld` file. Exit 1 with one line on error.
 */
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { describeError } from '../lib/errors';
import { getVersions, readVersioneerConfig, writeVersionFile } from '../lib/version';

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { style: { type: 'string' }, output: { type: 'string' } },
  });
  const root = resolve(positionals[0] ?? '.');
  const config = await readVersioneerConfig(root);
  if (!config) {
    process.stderr.write(`${root}: no versioneer settings (setup.cfg [versioneer] or pyproject.toml [tool.versioneer])\n`);
    return 1;
  }
  const versions = await getVersions(root, config, values.style ? { style: values.style } : {});
  if (values.output) await writeVersionFile(root, values.output, versions);
  process.stdout.write(`${JSON.stringify(versions)}\n`);
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => (process.exitCode = code),
  (err: unknown) => {
    process.stderr.write(`${describeError(err)}\n`);
    process.exitCode = 1;
  },
);
