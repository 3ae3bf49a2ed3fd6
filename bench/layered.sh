# Sourced by bench/run.sh (its $work, $minirun, $M and $runs): a second bundle
# of an image already unpacked once, and a run of /bin/true from it: a plain
# `image unpack` (the whole rootfs copied again) against `image unpack
# --layered` (the layers already in the store: nothing copied; create mounts
# an overlay). Wall time is hyperfine's median of unpack + run; the bytes are
# what the commands wrote (GNU time's %O: file system outputs of the process
# and its children, 512-byte blocks), the median of 5. The image: the fixture
# rootfs and a 32 MiB file, in one layer.
img="$work/img"
(
  cd "$work"
  umoci init --layout img && umoci new --image img:t && umoci unpack --image img:t u
  cp -a bundle/rootfs/. u/rootfs/ && head -c 32M /dev/urandom > u/rootfs/data
  umoci repack --image img:t u && umoci config --image img:t --config.cmd /bin/true && rm -rf u
) >/dev/null
store="$work/store"
$minirun image unpack --layered --store "$store" "$img:t" "$work/first" # the first unpack fills the store

# second NAME [FLAGS]: unpack into a fresh bundle, then run it (no terminal: the bench has none)
second() {
  echo "sh -c 'rm -rf $work/b-$1 && $minirun image unpack ${2:-} $img:t $work/b-$1 && cd $work/b-$1 && jq .process.terminal=false config.json > c && mv c config.json && $M run ${mi}image-$1'"
}
echo "a second bundle of an unpacked image (32 MiB + the fixture rootfs), unpack + run /bin/true"
hyperfine -N --style none --warmup 2 --runs "$((runs < 10 ? runs : 10))" --export-json "$work/r.json" \
  -n plain "$(second plain)" -n layered "$(second layered "--layered --store $store")" >/dev/null
for mode in plain layered; do
  flags=""
  [ $mode = layered ] && flags="--layered --store $store"
  blocks=$(for i in 1 2 3 4 5; do eval "/usr/bin/time -f %O $(second $mode "$flags")" 2>&1 >/dev/null | tail -1; done | sort -n | sed -n 3p)
  jq -r --arg m $mode --argjson b "$blocks" '.results[] | select(.command == $m) |
    "  \($m): wall \(.median * 10000 | round / 10) ms, wrote \($b * 512 / 1048576 * 10 | round / 10) MiB"' "$work/r.json"
done
echo "  store: $(du -sm "$store/layers" | cut -f1) MiB of layers, shared by every layered bundle of the image"
