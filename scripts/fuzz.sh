#!/usr/bin/env bash
# Builds and runs the libFuzzer harnesses of tests/fuzz/ (docs/testing.md).
#
#   scripts/fuzz.sh --short [NAME...]   every corpus file once (regressions), then a few
#                                       seconds of fuzzing each: what `make test` runs
#   scripts/fuzz.sh --long [--seconds S] [--runs N [--chunk C]] [--jobs J] [--boards]
#                   [NAME...]           the campaign (`make fuzz`): S seconds (default
#                                       600) or N executions per harness, J at a time;
#                                       executions, coverage and crashes go to the
#                                       "fuzz" section of bench/results.json. --chunk
#                                       runs the N executions C at a time and records
#                                       each chunk in build/fuzz/progress/NAME, so a
#                                       campaign cut short (the session ended) goes on
#                                       from its corpus when started again with the
#                                       same harness binary built from committed
#                                       sources (another commit that leaves its code
#                                       alone builds the same bytes). --boards adds
#                                       Debian's board trees (build/images/dtbs, the
#                                       ones under 48 KiB) to the device-tree
#                                       harnesses' seeds: more variety, 20x slower
#
# New inputs go to build/fuzz/corpus/NAME/ (kept between long runs, so campaigns add
# up), crashes to build/fuzz/artifacts/NAME/, logs to build/fuzz/logs/NAME.log (short
# runs: NAME.short.log, so that one during a campaign leaves its log alone); the
# seeds under tests/fuzz/corpus/ are only read. Stop a campaign with SIGINT to its
# fuzzers (pkill -INT -f build/fuzz/fuzz_): it then writes no results.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
out=build/fuzz
mode=
seconds=600
runs=
chunk=
jobs=1
short_seconds=${FUZZ_SHORT_SECONDS:-4}
boards=
names=()

usage() {
	sed -n '2,25p' "$0" | sed 's/^# \{0,1\}//' >&2
	exit 2
}

while [ $# -gt 0 ]; do
	case "$1" in
	--short) mode=short ;;
	--long) mode=long ;;
	--seconds) seconds=${2:?}; shift ;;
	--runs) runs=${2:?}; shift ;;
	--chunk) chunk=${2:?}; shift ;;
	--jobs) jobs=${2:?}; shift ;;
	--boards) boards=1 ;;
	-h | --help) usage ;;
	-*) usage ;;
	*) names+=("$1") ;;
	esac
	shift
done
[ -n "$mode" ] || usage
[ -z "$chunk" ] || [ -n "$runs" ] || { echo "fuzz: --chunk needs --runs" >&2; exit 2; }
if [ ${#names[@]} -eq 0 ]; then
	for f in tests/fuzz/fuzz_*.c; do
		n=${f#tests/fuzz/fuzz_}
		names+=("${n%.c}")
	done
fi
for n in "${names[@]}"; do
	[ -f "tests/fuzz/fuzz_$n.c" ] || { echo "fuzz: no harness tests/fuzz/fuzz_$n.c" >&2; exit 2; }
done

echo "fuzz: building ${#names[@]} harness(es)"
make -s -j"$jobs" $(printf "$out/fuzz_%s " "${names[@]}")
mkdir -p "$out/logs"

# Real board trees (scripts/guest-images.sh unpacks Debian's) as extra seeds for the
# device-tree harnesses (--boards); the small ones, to keep inputs short.
board_seeds() {
	local dir=$out/seeds-boards
	if [ ! -d "$dir" ] && [ -d build/images/dtbs ]; then
		mkdir -p "$dir"
		find build/images/dtbs -name '*.dtb' -size -48k -exec cp -t "$dir" {} +
	fi
	[ -d "$dir" ] && echo "$dir"
	return 0
}

# Every seed and kept crash once: the regressions.
regress() {
	local n=$1 log=$out/logs/$n.regress.log
	if ! "$out/fuzz_$n" tests/fuzz/corpus/"$n"/* >"$log" 2>&1; then
		echo "fuzz: $n: a corpus file fails (build/fuzz/logs/$n.regress.log):" >&2
		grep -E "Running:|ERROR|check failed|runtime error" "$log" | tail -5 >&2
		return 1
	fi
	echo "fuzz: $n: $(ls tests/fuzz/corpus/"$n" | wc -l) corpus files pass" >&2
}

# One fuzzing run; $2 = libFuzzer's limits, $4 = "short" for a short run (its own log:
# a short run during a campaign must not write into the campaign's). Prints "NAME
# executions cov ft corpus crashes".
fuzz_one() {
	local n=$1 limits=$2 corpus=$3 log=$out/logs/$n${4:+.$4}.log extra=() opts=() status=0
	mkdir -p "$corpus" "$out/artifacts/$n"
	if [ -n "$boards" ] && { [ "$n" = platform ] || [ "$n" = dt2acpi ]; }; then
		local b
		b=$(board_seeds)
		[ -n "$b" ] && extra=("$b")
	fi
	# A harness's own libFuzzer flags (tests/fuzz/fuzz_NAME.options: -max_len where
	# longer inputs only repeat what shorter ones do, at a higher cost per run).
	[ -f "tests/fuzz/fuzz_$n.options" ] && read -ra opts <"tests/fuzz/fuzz_$n.options"
	# shellcheck disable=SC2086
	"$out/fuzz_$n" $limits "${opts[@]}" -timeout=25 -print_final_stats=1 \
		-artifact_prefix="$out/artifacts/$n/" "$corpus" tests/fuzz/corpus/"$n" \
		"${extra[@]}" >"$log" 2>&1 || status=$?
	local execs cov ft units crashes
	# Stopped from outside (SIGINT: libFuzzer says so and exits 72, or dies of it while
	# starting; SIGTERM): no result, and no crash.
	if grep -q "libFuzzer: run interrupted" "$log" ||
		{ [ "$status" -eq 130 ] || [ "$status" -eq 143 ]; } &&
		! grep -q "Test unit written to" "$log"; then
		echo "$n interrupted"
		return 0
	fi
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
	cov=$(grep -ao ' cov: [0-9]*' "$log" | tail -1 | grep -o '[0-9]*' || true)
	ft=$(grep -ao ' ft: [0-9]*' "$log" | tail -1 | grep -o '[0-9]*' || true)
	units=$(ls "$corpus" | wc -l)
	crashes=$(grep -ac "Test unit written to" "$log" || true)
	[ "$status" -eq 0 ] || [ "$crashes" -gt 0 ] || crashes=1
	echo "$n ${execs:-0} ${cov:-0} ${ft:-0} $units $crashes"
	if [ "$crashes" -gt 0 ]; then
		echo "fuzz: $n: crashed ($log):" >&2
		grep -E "ERROR|check failed|runtime error|Test unit written" "$log" | head -5 >&2
	fi
	return 0
}

# Runs "$@" for each name, $jobs at a time; collects their output lines in $results.
results=$(mktemp)
trap 'rm -f "$results"' EXIT
each() {
	local running=0 failed=0 n
	for n in "${names[@]}"; do
		"$@" "$n" >>"$results" &
		running=$((running + 1))
		if [ "$running" -ge "$jobs" ]; then
			wait -n || failed=1
			running=$((running - 1))
		fi
	done
	while [ "$running" -gt 0 ]; do
		wait -n || failed=1
		running=$((running - 1))
	done
	return $failed
}

short_one() {
	local n=$1
	rm -rf "$out/short/$n"
	fuzz_one "$n" "-max_total_time=$short_seconds" "$out/short/$n" short
}

# What a chunked campaign of harness $1 counts executions for: its binary (the
# compiler gives the same bytes for the same code and flags, so a later commit that
# changes none of what the harness links resumes the campaign), built from src/ and
# tests/fuzz/ as committed ("dirty" otherwise: nothing is resumed or kept).
code_id() {
	if git diff --quiet HEAD -- src tests/fuzz 2>/dev/null &&
		[ -z "$(git ls-files --others --exclude-standard src tests/fuzz)" ]; then
		echo "binary $(sha256sum "$out/fuzz_$1" | cut -d' ' -f1)"
	else
		echo dirty
	fi
}

# $runs executions in chunks of $chunk. build/fuzz/progress/NAME: the code's id, then a
# line "executions cov ft corpus" a finished chunk; a campaign started again on the
# same code goes on from there. Prints the campaign's totals as fuzz_one does.
long_chunked() {
	local n=$1 progress=$out/progress/$1 id done=0 line execs cov=0 ft=0 units=0 crashes=0
	id=$(code_id "$n")
	mkdir -p "$out/progress"
	if [ "$id" != dirty ] && [ -f "$progress" ] && [ "$(head -1 "$progress")" = "$id" ]; then
		done=$(tail -n +2 "$progress" | awk '{ s += $1 } END { print s + 0 }')
		read -r _ cov ft units <<<"$(tail -n +2 "$progress" | tail -1)"
		echo "fuzz: $n: resuming at $done of $runs executions" >&2
	else
		echo "$id" >"$progress"
	fi
	while [ "$done" -lt "$runs" ]; do
		line=$(fuzz_one "$n" "-runs=$(( runs - done < chunk ? runs - done : chunk ))" \
			"$out/corpus/$n")
		if [ "$line" = "$n interrupted" ]; then
			echo "$line"
			return 0
		fi
		read -r _ execs cov ft units crashes <<<"$line"
		done=$((done + execs))
		[ "$crashes" -eq 0 ] || break
		[ "$id" = dirty ] || echo "$execs $cov $ft $units" >>"$progress"
	done
	echo "$n $done ${cov:-0} ${ft:-0} ${units:-0} $crashes"
}

long_one() {
	local n=$1 limits
	if [ -n "$chunk" ]; then
		long_chunked "$n"
		return 0
	elif [ -n "$runs" ]; then
		limits="-runs=$runs"
	else
		limits="-max_total_time=$seconds"
	fi
	fuzz_one "$n" "$limits" "$out/corpus/$n"
}

status=0
if [ "$mode" = short ]; then
	each regress || status=1
	each short_one || status=1
else
	start=$(date +%s)
	each long_one || status=1
	elapsed=$(($(date +%s) - start))
	if grep -q ' interrupted$' "$results"; then
		echo "fuzz: interrupted ($(grep ' interrupted$' "$results" | cut -d' ' -f1 | xargs));" \
			"nothing written to bench/results.json; chunks finished are kept" >&2
		exit 130
	fi
	/usr/bin/python3 - "$results" "$seconds" "$runs" "$jobs" "$elapsed" "$chunk" <<'EOF'
import datetime, json, os, subprocess, sys
path = "bench/results.json"
lines, seconds, runs, jobs, elapsed, chunk = sys.argv[1:]
rows = {}
for line in open(lines):
    name, execs, cov, ft, units, crashes = line.split()
    rows[name] = {"name": name, "executions": int(execs), "cov": int(cov), "ft": int(ft),
                  "corpus": int(units), "crashes": int(crashes)}
data = json.load(open(path)) if os.path.exists(path) else {"benchmarks": []}
old = {h["name"]: h for h in data.get("fuzz", {}).get("harnesses", [])}
old.update(rows)  # a run of some harnesses keeps the others' last figures
clang = subprocess.run(["clang", "--version"], capture_output=True, text=True).stdout
data["fuzz"] = {
    "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
    "compiler": clang.splitlines()[0] if clang else "clang",
    "limit": (f"{runs} executions" + (f", in chunks of {chunk} resumed from the corpus"
                                      if chunk else "")) if runs else f"{seconds} s per harness",
    "parallel": int(jobs),
    "wall_seconds": int(elapsed),
    "harnesses": sorted(old.values(), key=lambda h: h["name"]),
}
with open(path, "w") as f:
    json.dump(data, f, indent=2)
    f.write("\n")
EOF
	echo "fuzz: results in bench/results.json (\"fuzz\")"
fi
printf "%-12s %12s %7s %7s %7s %7s\n" harness executions cov ft corpus crashes
sort "$results" | while read -r n e c f u x; do
	printf "%-12s %12s %7s %7s %7s %7s\n" "$n" "$e" "$c" "$f" "$u" "$x"
	[ "$x" -eq 0 ] || echo "fuzz: $n crashed" >&2
done
if grep -qv ' 0$' "$results"; then
	status=1
fi
exit $status
