#!/usr/bin/env bash
# Static checks, each of which fails the lint on any finding: the compiler's warnings
# (the build, WARN_CFLAGS with -Werror), clang-format (the repository's .clang-format),
# cppcheck, and clang-tidy (.clang-tidy; scripts/tidy.sh gives each file its build's
# flags). See docs/testing.md.
set -euo pipefail
cd "$(dirname "$0")/.."

for tool in clang-format cppcheck clang-tidy aarch64-linux-gnu-gcc; do
	command -v "$tool" >/dev/null || {
		echo "lint: $tool is missing (scripts/setup.sh installs it)" >&2
		exit 1
	}
done

# Everything that is built compiles with WARN_CFLAGS and -Werror: building is the check
# (nothing to do when `make all` just ran, as in `make test`).
echo "lint: compiler warnings (make all)"
make -s -j2 --no-print-directory all

mapfile -t files < <(git ls-files -co --exclude-standard '*.c' '*.h' | grep -v '^build/')
echo "lint: clang-format on ${#files[@]} files"
clang-format --dry-run --Werror "${files[@]}"

echo "lint: cppcheck"
cppcheck --quiet --error-exitcode=1 --enable=warning,style,performance,portability \
	--inline-suppr --std=c11 -Isrc -Isrc/lib/libc -Iguest/lib \
	--suppress=missingIncludeSystem --suppress=unusedFunction \
	--suppress=unmatchedSuppression \
	-D__GNUC__ -D__aarch64__ \
	src guest tests/unit tests/fuzz

# Two at a time: the CI machine (and the development one) has two cores.
mapfile -t tidy_files < <(git ls-files -co --exclude-standard 'src/*.c' 'tests/unit/*.c' \
	'tests/fuzz/*.c' 'tools/*.c' | grep -v '^build/')
echo "lint: clang-tidy on ${#tidy_files[@]} files"
if ! printf '%s\n' "${tidy_files[@]}" | xargs -P2 -n4 scripts/tidy.sh; then
	echo "lint: clang-tidy found the problems above" >&2
	exit 1
fi
echo "lint: ok"
