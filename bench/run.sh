#!/usr/bin/env bash
# minirun against runc, side by side in one run, on the same fixture bundle:
# each figure is hyperfine's median wall time and mean user+sys CPU time,
# runc's, minirun's and the ratio; state, kill and start also against
# `node -e 0` (what any Node program pays to start) in the same hyperfine run,
# so that a busy machine weighs on both alike. Peak RSS of a foreground
# run from GNU time. A second bundle of an image, plain and layered
# (bench/layered.sh). Not a test: nothing here passes or fails.
# Usage, as root: npm run bench [-- runs]   (needs the build: npm ci)
set -euo pipefail
cd "$(dirname "$0")/.."
unset NODE_EXTRA_CA_CERTS   # adds ~80 ms to every Node start on these machines
runs="${1:-30}"
work=$(mktemp -d /tmp/minirun-bench.XXXXXX)
minirun="$PWD/bin/minirun"
cleanup() {
  for rt in runc "$minirun"; do
    for root in "$work/runc" "$work/minirun"; do
      [ -d "$root" ] && for id in $(ls "$root" 2>/dev/null); do $rt --root "$root" delete -f "$id" >/dev/null 2>&1 || true; done
    done
  done
  rm -rf "$work"
}
trap cleanup EXIT
node dist/fixtures/make-bundle.js "$work/bundle" --args /bin/true >/dev/null
node dist/fixtures/make-bundle.js "$work/sleeper" --args 'sleep 1000' >/dev/null
R="runc --root $work/runc"
M="$minirun --root $work/minirun"

# pair NAME-A CMD-A NAME-B CMD-B [RUNS]: prints the medians and the ratio A/B
pair() {
  local a="$1" ca="$2" b="$3" cb="$4" n="${5:-$runs}"
  hyperfine -N --style none --warmup 3 --runs "$n" --export-json "$work/r.json" -n "$a" "$ca" -n "$b" "$cb" >/dev/null
  jq -r --arg a "$a" --arg b "$b" '
    def ms: . * 1000 | . * 10 | round / 10;
    (.results | map({(.command): {wall: .median, cpu: (.user + .system)}}) | add) as $r
    | "  \($a): wall \($r[$a].wall | ms) ms, cpu \($r[$a].cpu | ms) ms\n  \($b): wall \($r[$b].wall | ms) ms, cpu \($r[$b].cpu | ms) ms\n  ratio: wall \(($r[$a].wall / $r[$b].wall) * 100 | round / 100)x, cpu \(($r[$a].cpu / $r[$b].cpu) * 100 | round / 100)x"' "$work/r.json"
}

# trio NAME-A CMD-A NAME-B CMD-B [PREPARE-A PREPARE-B]: as pair, with `node -e 0` as a third
# command of the same hyperfine run, and minirun's distance from it; PREPARE-x runs before each run of CMD-x
trio() {
  local a="$1" ca="$2" b="$3" cb="$4" prep=()
  [ $# -ge 6 ] && prep=(--prepare "$5" --prepare "$6" --prepare true)
  hyperfine -N --style none --warmup 3 --runs "$runs" --export-json "$work/r.json" "${prep[@]}" \
    -n "$a" "$ca" -n "$b" "$cb" -n node "node -e 0" >/dev/null
  jq -r --arg a "$a" --arg b "$b" '
    def ms: . * 1000 | . * 10 | round / 10;
    (.results | map({(.command): {wall: .median, cpu: (.user + .system)}}) | add) as $r
    | "  \($a): wall \($r[$a].wall | ms) ms, cpu \($r[$a].cpu | ms) ms\n  \($b): wall \($r[$b].wall | ms) ms, cpu \($r[$b].cpu | ms) ms\n  node -e 0: wall \($r.node.wall | ms) ms, cpu \($r.node.cpu | ms) ms\n  ratio: wall \(($r[$a].wall / $r[$b].wall) * 100 | round / 100)x, cpu \(($r[$a].cpu / $r[$b].cpu) * 100 | round / 100)x; \($a) - node -e 0: wall \(($r[$a].wall - $r.node.wall) | ms) ms"' "$work/r.json"
}

echo "run of /bin/true (goal: minirun <= 1.5x runc)"
pair minirun "$M run --bundle $work/bundle b1" runc "$R run --bundle $work/bundle b1"

# a created container for state, and a running one for exec
$M create --bundle $work/sleeper m1 && $R create --bundle $work/sleeper r1
echo "state of a created container (goal: minirun <= node -e 0 + 5 ms)"
trio minirun "$M state m1" runc "$R state r1"
echo "start of a created container, made before each run (goal: minirun <= node -e 0 + 5 ms)"
fresh() { echo "sh -c '$1 delete -f s1 >/dev/null 2>&1; $1 create --bundle $work/sleeper s1'"; }
trio minirun "$M start s1" runc "$R start s1" "$(fresh "$M")" "$(fresh "$R")"
$M delete -f s1 && $R delete -f s1 2>/dev/null # runc: "Failed to remove cgroup" warnings, the init just killed
$M start m1 && $R start r1
echo "exec /bin/true into a running container (goal: minirun <= 2x runc)"
pair minirun "$M exec m1 /bin/true" runc "$R exec r1 /bin/true"
echo "kill -s 0 (a signal that changes nothing; goal: minirun <= node -e 0 + 5 ms)"
trio minirun "$M kill m1 0" runc "$R kill r1 0"
$M delete -f m1 && $R delete -f r1

echo "create, start, state, kill, delete, as containerd and Docker drive them (goal: minirun <= 3x runc, wall and cpu)"
cycle() { echo "sh -c '$1 create --bundle $work/sleeper c1 && $1 start c1 && $1 state c1 >/dev/null && $1 kill c1 KILL && $1 delete -f c1'"; }
pair minirun "$(cycle "$M")" runc "$(cycle "$R")"

echo "8 parallel run -d, then kill and delete (goal: minirun <= 3x runc)"
par() { echo "sh -c 'for i in 1 2 3 4 5 6 7 8; do $1 run -d --bundle $work/sleeper p\$i & done; wait; for i in 1 2 3 4 5 6 7 8; do $1 delete -f p\$i & done; wait'"; }
pair minirun "$(par "$M")" runc "$(par "$R")" 10

source bench/layered.sh

echo "peak RSS of a foreground run of /bin/true (goal: minirun <= 30 MB)"
for who in minirun runc; do
  if [ $who = minirun ]; then cmd="$M"; else cmd="$R"; fi
  kb=$(for i in 1 2 3 4 5; do /usr/bin/time -f %M $cmd run --bundle $work/bundle rss 2>&1 >/dev/null | tail -1; done | sort -n | sed -n 3p)
  echo "  $who: $((kb / 1024)) MB"
done
