#!/usr/bin/env bash
# Times `minirun run` against `runc run` of /bin/true on the same fixture
# bundle, in one hyperfine run, and prints both and their ratio.
# Usage, as root: bench/run.sh [runs]   (needs the build: npm ci)
set -euo pipefail
cd "$(dirname "$0")/.."
unset NODE_EXTRA_CA_CERTS   # adds ~80 ms to every Node start on these machines
runs="${1:-30}"
work=$(mktemp -d /tmp/minirun-bench.XXXXXX)
trap 'rm -rf "$work"' EXIT
node dist/fixtures/make-bundle.js "$work/bundle" --args /bin/true >/dev/null
minirun="$PWD/bin/minirun"
hyperfine --warmup 3 --runs "$runs" --export-json "$work/result.json" \
  -n runc "runc --root $work/runc run --bundle $work/bundle bench-runc" \
  -n minirun "$minirun --root $work/minirun run --bundle $work/bundle bench-minirun"
jq -r '.results | map({(.command): .mean}) | add as $m
  | "runc:    \($m.runc * 1000 | floor) ms\nminirun: \($m.minirun * 1000 | floor) ms\nratio:   \(($m.minirun / $m.runc) * 100 | floor / 100)x"' "$work/result.json"
