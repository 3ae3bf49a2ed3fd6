import * as path from 'node:path';
import { type Command, Option } from 'commander';
import type { Globals } from './globals';
import { rootlessEuid } from '../lifecycle/rootless';

export function register(program: Command, globals: Globals): void {
  const image = program
    .command('image')
    .description('work with OCI images (image unpack [--layered] SOURCE BUNDLE, image gc)');
  image
    .command('unpack')
    .description(
      'unpack an image into a new bundle (rootfs and config.json): SOURCE is an OCI image layout DIR:TAG or ' +
        'DIR@sha256:DIGEST, or a docker-archive tar (docker save): FILE alone when it holds one image, else ' +
        'FILE:REPO:TAG or FILE@sha256:ID',
    )
    .argument('<source>')
    .argument('<bundle>', 'a directory that does not exist or is empty')
    .option('--platform <os/arch[/variant]>', 'the manifest to take from a multi-platform index', 'linux/amd64')
    .option('--max-entries <n>', 'refuse images with more tar entries than this, over all layers', '1000000')
    .option('--max-entry-size <bytes>', 'refuse tar entries larger than this', String(8 * 2 ** 30))
    .option(
      '--layered',
      'extract the layers once into the store, shared by bundles; create mounts them as an overlay on an empty rootfs',
    )
    .option('--store <dir>', 'the layer store of --layered', '/var/lib/minirun/images')
    .option('--quiet', 'show no progress (it is shown only when stderr is a terminal)', false)
    // set on the unpack that a rootless one runs again in its user namespace (image/userns-unpack.ts)
    .addOption(new Option('--userns-child').default(false).hideHelp())
    .action(
      async (
        source: string,
        bundle: string,
        o: {
          platform: string;
          maxEntries: string;
          maxEntrySize: string;
          layered?: boolean;
          store: string;
          quiet: boolean;
          usernsChild: boolean;
        },
      ) => {
        if (!o.usernsChild && rootlessEuid()) {
          if (o.layered) {
            const { MiniRunError } = await import('../errors');
            throw new MiniRunError('USAGE', '--layered: needs root (create mounts the layers as an overlay)');
          }
          const { rootlessMaps, runInUserNamespace } = await import('../image/userns-unpack');
          const g = globals();
          process.exitCode = await runInUserNamespace(
            [
              ...(g.log === undefined ? [] : ['--log', g.log, '--log-format', g.logFormat]),
              ...['image', 'unpack', '--userns-child', '--platform', o.platform],
              ...['--max-entries', o.maxEntries, '--max-entry-size', o.maxEntrySize],
              ...(o.quiet ? ['--quiet'] : []),
              ...['--', source, bundle],
            ],
            rootlessMaps(),
          );
          return;
        }
        const { parsePlatform } = await import('../image/reference');
        const { integer } = await import('./numbers');
        const { unpackImage } = await import('../image/unpack');
        const { checkStorePath } = await import('../image/store');
        const { loadAddon } = await import('../native/loader');
        const limits = {
          maxEntries: Number(integer('max-entries', o.maxEntries, 1n, 1n << 40n)),
          maxEntryBytes: Number(integer('max-entry-size', o.maxEntrySize, 0n, 1n << 50n)),
        };
        let progress;
        if (!o.quiet && process.stderr.isTTY) {
          const { terminalProgress } = await import('../image/progress');
          progress = terminalProgress(2, () => process.stderr.columns);
        }
        let rootless;
        if (o.usernsChild) rootless = (await import('../image/userns-unpack')).ownMaps();
        const platform = parsePlatform(o.platform);
        const store = o.layered ? checkStorePath(path.resolve(o.store)) : undefined;
        await unpackImage(source, bundle, { platform, limits, progress, rootless, store }, loadAddon());
      },
    );
  image
    .command('gc')
    .description(
      "drop the store's references to bundles that are gone, and remove the layers nothing uses; prints what it removed",
    )
    .option('--store <dir>', 'the layer store', '/var/lib/minirun/images')
    .action(async (o: { store: string }) => {
      const { checkStorePath } = await import('../image/store');
      const { collectGarbage } = await import('../image/gc');
      const { loadAddon } = await import('../native/loader');
      for (const line of collectGarbage(checkStorePath(path.resolve(o.store)), loadAddon()))
        process.stdout.write(`removed ${line}\n`);
    });
}
