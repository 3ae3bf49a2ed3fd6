#!/usr/bin/env bash
# The README's demo: a bundle from the fixture rootfs, one container run, then
# everything removed.
set -euo pipefail
cd "$(dirname "$0")/.."
work=$(mktemp -d /tmp/minirun-demo.XXXXXX)
trap 'rm -rf "$work"' EXIT
node dist/fixtures/make-bundle.js "$work/bundle" \
  --args '["sh", "-c", "echo hello from a minirun container; echo hostname: $(hostname); id; ls /"]' >/dev/null
bin/minirun --root "$work/state" run --bundle "$work/bundle" "demo-$$"
