#!/bin/sh
# `npm run lint`: ESLint (eslint.config.mjs), prettier --check (.prettierrc) and
# clang-format --dry-run --Werror (.clang-format); each runs, and any finding
# fails the whole. `npm run format` (lint.sh --write): prettier and
# clang-format rewrite the files instead. Run through npm, which puts
# node_modules/.bin on PATH.
set -u
cd "$(dirname "$0")/.."
# The C and C++ sources, all of them.
cpp="native/*.cc native/*.h native/*/*.cc native/*/*.h test/tools/*.c test/tools/*.cc rootfs-fixtures/probe/*.c"
if ! command -v clang-format >/dev/null; then
  echo "lint: clang-format is missing; install with: apt-get install clang-format" >&2
  exit 1
fi
if [ "${1:-}" = --write ]; then
  prettier --write --log-level warn . bin/minirun && clang-format -i $cpp
  exit
fi
status=0
eslint . || status=1
prettier --check --log-level warn . bin/minirun || status=1
clang-format --dry-run --Werror $cpp || status=1
exit $status
