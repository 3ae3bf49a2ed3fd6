import * as path from 'node:path';
import type { Command } from 'commander';

export function register(program: Command): void {
  const image = program
    .command('image')
    .description('work with OCI images (image unpack [--layered] SOURCE BUNDLE, image gc)');
  image
    .command('unpack')
    .description(
      'unpack an image into a new bundle (rootfs and config.json): SOURCE is an OCI image layout DIR:TAG or ' +
        'DIR@sha256:DIGEST, or a docker-archive tar (docker save)',
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
    .action(
      async (
        source: string,
        bundle: string,
        o: { platform: string; maxEntries: string; maxEntrySize: string; layered?: boolean; store: string },
      ) => {
        const { parsePlatform } = await import('../image/reference');
        const { integer } = await import('./numbers');
        const { unpackImage } = await import('../image/unpack');
        const { checkStorePath } = await import('../image/store');
        const { loadAddon } = await import('../native/loader');
        const limits = {
          maxEntries: Number(integer('max-entries', o.maxEntries, 1n, 1n << 40n)),
          maxEntryBytes: Number(integer('max-entry-size', o.maxEntrySize, 0n, 1n << 50n)),
        };
        const store = o.layered ? checkStorePath(path.resolve(o.store)) : undefined;
        await unpackImage(source, bundle, { platform: parsePlatform(o.platform), limits, store }, loadAddon());
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
