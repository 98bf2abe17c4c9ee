#!/usr/bin/env bash
# Quick start, step 2: builds berth and runs the whole test suite (unit, integration, compat)
# in one `node --test` run, which ends with its summary (`# pass N`, `# fail N`, …).
# Integration and compat suites need root; each starts its own berthd in a temp dir.
# Extra arguments are passed to node --test (e.g. --test-name-pattern=logs).
set -euo pipefail
cd "$(dirname "$0")/.."

npm run --silent build

mapfile -t files < <(
  find src -name '*.test.ts' -print
  find test/integration test/compat -name '*.test.ts' -print 2>/dev/null
)
IFS=$'\n' files=($(printf '%s\n' "${files[@]}" | sort))
unset IFS
if ((${#files[@]} == 0)); then
  echo "no test files found" >&2
  exit 1
fi

# Suites run two at a time (each has its own daemon); a test hanging past 3 minutes fails.
exec node --import tsx --test --test-reporter=tap --test-concurrency=2 --test-timeout=180000 "$@" "${files[@]}"
