#!/usr/bin/env bash
# Prepares runc 1.1.5's own integration suite (tests/integration/*.bats) from
# Debian's source package, as root, into $RUNC_SUITE_DIR (default
# build/runc-suite): the source with Debian's patches, its helper programs
# (recvtty, sd-helper, seccompagent) built with Debian's Go and golang-*-dev
# packages, and the two images helpers.bash wants, made locally instead of
# downloaded: busybox from busybox-static, debian from debootstrap. Idempotent:
# each part is skipped when it is already there.
set -euo pipefail
cd "$(dirname "$0")/../.."
dir=${RUNC_SUITE_DIR:-$PWD/build/runc-suite}
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)
export DEBIAN_FRONTEND=noninteractive

# 1. Debian's source entry, then the build dependencies and the tools the suite uses.
src_list=/etc/apt/sources.list.d/minirun-runc-src.sources
if ! grep -rqs '^Types:.*deb-src' /etc/apt/sources.list.d/ && ! grep -qs '^deb-src' /etc/apt/sources.list; then
  cat >"$src_list" <<'SRC'
Types: deb-src
URIs: http://deb.debian.org/debian
Suites: bookworm
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SRC
  apt-get update -qq
fi
if ! command -v bats >/dev/null || ! command -v debootstrap >/dev/null || ! command -v dpkg-source >/dev/null || ! command -v gawk >/dev/null \
   || ! dpkg -s golang-github-seccomp-libseccomp-golang-dev >/dev/null 2>&1; then
  apt-get build-dep -y -qq runc >/dev/null
  apt-get install -y -qq --no-install-recommends bats debootstrap dpkg-dev xz-utils util-linux gawk >/dev/null
fi

# 2. The source, as `apt-get source runc` unpacks it (Debian's patches applied).
src="$dir/src"
if [ ! -f "$src/tests/integration/helpers.bash" ]; then
  rm -rf "$dir/dl" "$src"
  mkdir -p "$dir/dl"
  (cd "$dir/dl" && apt-get source --download-only runc >/dev/null 2>&1 && dpkg-source -x --no-check ./runc_1.1.5+*.dsc "$src" >/dev/null)
  rm -rf "$dir/dl"
fi

# 3. The helpers, with upstream's Makefile in a GOPATH of Debian's Go sources.
if [ ! -x "$src/contrib/cmd/seccompagent/seccompagent" ]; then
  gop="$dir/gopath"
  mkdir -p "$gop/src/github.com/opencontainers"
  ln -sfn "$src" "$gop/src/github.com/opencontainers/runc"
  (cd "$gop/src/github.com/opencontainers/runc" &&
    GOPATH="$gop:/usr/share/gocode" GO111MODULE=off GOCACHE="$dir/gocache" \
      make recvtty sd-helper seccompagent COMMIT=debian >/dev/null)
fi

# 4. The images, where get-images.sh looks before it would download.
testdata="$src/tests/integration/testdata"
if [ ! -s "$testdata/busybox-amd64.tar.xz" ]; then
  bb=$(mktemp -d)
  mkdir -p "$bb/bin" "$bb/etc" "$bb/root" "$bb/tmp" "$bb/home" "$bb/dev" "$bb/var" "$bb/usr/bin" "$bb/usr/sbin" "$bb/sbin"
  chmod 1777 "$bb/tmp"
  cp /bin/busybox "$bb/bin/busybox"
  for applet in $("$bb/bin/busybox" --list); do
    [ "$applet" = busybox ] || ln -s busybox "$bb/bin/$applet"
  done
  printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/home:/bin/false\n' >"$bb/etc/passwd"
  printf 'root:x:0:\nnobody:x:65534:\n' >"$bb/etc/group"
  chmod 755 "$bb"  # the image's / (mktemp made it 0700): other users must reach the rootfs
  tar -C "$bb" -cJf "$testdata/busybox-amd64.tar.xz.tmp" . && mv "$testdata/busybox-amd64.tar.xz.tmp" "$testdata/busybox-amd64.tar.xz"
  rm -rf "$bb"
fi
if [ ! -s "$testdata/debian-amd64.tar.xz" ]; then
  deb=$(mktemp -d)
  debootstrap --variant=minbase bookworm "$deb" http://deb.debian.org/debian >/dev/null
  rm -rf "$deb"/proc/* "$deb"/sys/* "$deb"/var/cache/apt/archives/*.deb
  chmod 755 "$deb"
  tar -C "$deb" --numeric-owner -cJf "$testdata/debian-amd64.tar.xz.tmp" . && mv "$testdata/debian-amd64.tar.xz.tmp" "$testdata/debian-amd64.tar.xz"
  rm -rf "$deb"
fi
# 5. runc 1.1.5's setup_recvtty and setup_seccompagent start their daemon in
# the background and return before its socket exists, so a test's first
# --console-socket (or seccomp listener) can race it and fail under load, with
# runc as with minirun. Both now wait for their socket (up to 10 s); the same
# prepared copy serves both runtimes.
helpers="$src/tests/integration/helpers.bash"
if ! grep -q 'minirun: wait for the socket' "$helpers"; then
  sed -i \
    -e '/"\$RECVTTY" --pid-file/a\	local i; for ((i = 0; i < 100; i++)); do [ -S "$CONSOLE_SOCKET" ] \&\& break; sleep 0.1; done # minirun: wait for the socket' \
    -e '/"\${SECCOMP_AGENT}" -socketfile/a\	local i; for ((i = 0; i < 100; i++)); do [ -S "$SECCCOMP_AGENT_SOCKET" ] \&\& break; sleep 0.1; done # minirun: wait for the socket' \
    "$helpers"
fi
echo "$src"
