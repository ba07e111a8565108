#!/usr/bin/env bash
# Static checks: clang-format (the repository's .clang-format) and cppcheck.
set -euo pipefail
cd "$(dirname "$0")/.."

mapfile -t files < <(git ls-files -co --exclude-standard '*.c' '*.h' | grep -v '^build/')
echo "lint: clang-format on ${#files[@]} files"
clang-format --dry-run --Werror "${files[@]}"

echo "lint: cppcheck"
cppcheck --quiet --error-exitcode=1 --enable=warning,style,performance,portability \
	--inline-suppr --std=c11 -Isrc -Isrc/lib/libc -Iguest/lib \
	--suppress=missingIncludeSystem --suppress=unusedFunction \
	--suppress=unmatchedSuppression \
	-D__GNUC__ -D__aarch64__ \
	src guest tests/unit
echo "lint: ok"
