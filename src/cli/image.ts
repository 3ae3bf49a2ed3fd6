import type { Command } from 'commander';

export function register(program: Command): void {
  const image = program.command('image').description('work with OCI images (image unpack SOURCE BUNDLE)');
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
    .option('--quiet', 'show no progress (it is shown only when stderr is a terminal)', false)
    .action(
      async (
        source: string,
        bundle: string,
        o: { platform: string; maxEntries: string; maxEntrySize: string; quiet: boolean },
      ) => {
        const { parsePlatform } = await import('../image/reference');
        const { integer } = await import('./numbers');
        const { unpackImage } = await import('../image/unpack');
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
        await unpackImage(source, bundle, { platform: parsePlatform(o.platform), limits, progress }, loadAddon());
      },
    );
}
