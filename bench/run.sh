#!/usr/bin/env bash
# minirun against runc, side by side in one run, on the same fixture bundle:
# each figure is hyperfine's median wall time and mean user+sys CPU time,
# runc's, minirun's and the ratio; state, kill and start also against
# `node -e 0` (what any Node program pays to start), the three taking turns,
# so that a busy machine weighs on all alike. Peak RSS of a foreground
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
# Container ids of their own per runtime and per bench: an id is also the cgroup path (/<id>), and a
# container of the other runtime, or of anyone, with the same id would share its cgroup.
mi="bench$$-m-" ri="bench$$-r-"

# hyperfine's own warnings (outliers, a slow first run) go: the medians are what the bench reports; its errors stay
hf() { hyperfine "$@" 2> >(grep -v -e 'Warning:' -e '^ *$' >&2); }

# pair NAME-A CMD-A NAME-B CMD-B [RUNS]: prints the medians and the ratio A/B
pair() {
  local a="$1" ca="$2" b="$3" cb="$4" n="${5:-$runs}"
  hf -N --style none --warmup 3 --runs "$n" --export-json "$work/r.json" -n "$a" "$ca" -n "$b" "$cb" >/dev/null
  jq -r --arg a "$a" --arg b "$b" '
    def ms: . * 1000 | . * 10 | round / 10;
    (.results | map({(.command): {wall: .median, cpu: (.user + .system)}}) | add) as $r
    | "  \($a): wall \($r[$a].wall | ms) ms, cpu \($r[$a].cpu | ms) ms\n  \($b): wall \($r[$b].wall | ms) ms, cpu \($r[$b].cpu | ms) ms\n  ratio: wall \(($r[$a].wall / $r[$b].wall) * 100 | round / 100)x, cpu \(($r[$a].cpu / $r[$b].cpu) * 100 | round / 100)x"' "$work/r.json"
}

# trio NAME-A CMD-A NAME-B CMD-B [PREPARE-A PREPARE-B]: as pair, with `node -e 0` as a third
# command, and minirun's distance from it; PREPARE-x runs before each run of CMD-x. A few ms apart,
# so the three take turns, a few runs each (hyperfine runs one command's runs in a row, and the
# machine drifts by more than that between them): the median of every run's wall time, the mean CPU.
trio() {
  local a="$1" ca="$2" b="$3" cb="$4" prep=() i
  [ $# -ge 6 ] && prep=(--prepare "$5" --prepare "$6" --prepare true)
  for ((i = 0; i < (runs + 2) / 3; i++)); do
    hf -N --style none --warmup 1 --runs 3 --export-json "$work/trio-$i.json" "${prep[@]}" \
      -n "$a" "$ca" -n "$b" "$cb" -n node "node -e 0" >/dev/null
  done
  jq -s '{results: [map(.results[]) | group_by(.command)[]
    | {command: .[0].command, median: ([.[].times[]] | sort | .[length / 2 | floor]),
       user: (map(.user) | add / length), system: (map(.system) | add / length)}]}' "$work"/trio-*.json >"$work/r.json"
  rm -f "$work"/trio-*.json
  jq -r --arg a "$a" --arg b "$b" '
    def ms: . * 1000 | . * 10 | round / 10;
    (.results | map({(.command): {wall: .median, cpu: (.user + .system)}}) | add) as $r
    | "  \($a): wall \($r[$a].wall | ms) ms, cpu \($r[$a].cpu | ms) ms\n  \($b): wall \($r[$b].wall | ms) ms, cpu \($r[$b].cpu | ms) ms\n  node -e 0: wall \($r.node.wall | ms) ms, cpu \($r.node.cpu | ms) ms\n  ratio: wall \(($r[$a].wall / $r[$b].wall) * 100 | round / 100)x, cpu \(($r[$a].cpu / $r[$b].cpu) * 100 | round / 100)x; \($a) - node -e 0: wall \(($r[$a].wall - $r.node.wall) | ms) ms"' "$work/r.json"
}

echo "run of /bin/true (goal: minirun <= 1.5x runc)"
pair minirun "$M run --bundle $work/bundle ${mi}b1" runc "$R run --bundle $work/bundle ${ri}b1"

# a created container for state, and a running one for exec
$M create --bundle $work/sleeper ${mi}c && $R create --bundle $work/sleeper ${ri}c
echo "state of a created container (goal: minirun <= node -e 0 + 5 ms)"
trio minirun "$M state ${mi}c" runc "$R state ${ri}c"
echo "start of a created container, made before each run (goal: minirun <= node -e 0 + 5 ms)"
fresh() { echo "sh -c '$1 delete -f $2 >/dev/null 2>&1; $1 create --bundle $work/sleeper $2'"; }
trio minirun "$M start ${mi}s1" runc "$R start ${ri}s1" "$(fresh "$M" "${mi}s1")" "$(fresh "$R" "${ri}s1")"
$M delete -f ${mi}s1 && $R delete -f ${ri}s1
$M start ${mi}c && $R start ${ri}c
echo "exec /bin/true into a running container (goal: minirun <= 2x runc)"
pair minirun "$M exec ${mi}c /bin/true" runc "$R exec ${ri}c /bin/true"
echo "kill -s 0 (a signal that changes nothing; goal: minirun <= node -e 0 + 5 ms)"
trio minirun "$M kill ${mi}c 0" runc "$R kill ${ri}c 0"
$M delete -f ${mi}c && $R delete -f ${ri}c

echo "create, start, state, kill, delete, as containerd and Docker drive them (goal: minirun <= 3x runc, wall and cpu)"
cycle() { echo "sh -c '$1 create --bundle $work/sleeper $2 && $1 start $2 && $1 state $2 >/dev/null && $1 kill $2 KILL && $1 delete -f $2'"; }
pair minirun "$(cycle "$M" "${mi}cy")" runc "$(cycle "$R" "${ri}cy")"

echo "8 parallel run -d, then kill and delete (goal: minirun <= 3x runc)"
par() { echo "sh -c 'for i in 1 2 3 4 5 6 7 8; do $1 run -d --bundle $work/sleeper $2\$i & done; wait; for i in 1 2 3 4 5 6 7 8; do $1 delete -f $2\$i & done; wait'"; }
pair minirun "$(par "$M" "${mi}p")" runc "$(par "$R" "${ri}p")" 10

source bench/layered.sh

echo "peak RSS of a foreground run of /bin/true (goal: minirun <= 30 MB)"
for who in minirun runc; do
  if [ $who = minirun ]; then cmd="$M" id=${mi}rss; else cmd="$R" id=${ri}rss; fi
  kb=$(for i in 1 2 3 4 5; do /usr/bin/time -f %M $cmd run --bundle $work/bundle $id 2>&1 >/dev/null | tail -1; done | sort -n | sed -n 3p)
  echo "  $who: $((kb / 1024)) MB"
done
