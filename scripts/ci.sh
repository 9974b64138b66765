#!/usr/bin/env bash
# Everything CI checks, in order; ends with the plain line "N passed, N failed".
# Typecheck, lint and build count as one check each; every vitest test counts.
set -uo pipefail
cd "$(dirname "$0")/.."
mkdir -p test-output
passed=0
failed=0

check() {
  local name="$1"; shift
  echo "== $name"
  if "$@"; then passed=$((passed + 1)); else echo "!! $name failed"; failed=$((failed + 1)); fi
}

suite() {
  local project="$1"
  local report="test-output/vitest-$project.json"
  rm -f "$report"
  echo "== vitest $project"
  npx vitest run --project "$project" --passWithNoTests --reporter=default --reporter=json --outputFile.json="$report"
  local rc=$?
  if [ -f "$report" ]; then
    read -r p f < <(node -e 'const r=require(process.argv[1]);console.log(r.numPassedTests, r.numFailedTests + (r.numFailedTestSuites||0) + (r.numRuntimeErrorTestSuites||0))' "$(pwd)/$report")
    passed=$((passed + p)); failed=$((failed + f))
    if [ "$rc" != 0 ] && [ "$f" = 0 ]; then failed=$((failed + 1)); fi
  else
    echo "!! vitest $project produced no report"; failed=$((failed + 1))
  fi
}

check typecheck npm run --silent typecheck
check lint npm run --silent lint
check build npm run --silent build
suite unit
suite integration
suite ui
# The offline bundle in a clean Debian 12 root in a namespace with no network (about 11 min; needs root).
check "offline install (scripts/test-offline-install.sh)" bash scripts/test-offline-install.sh

echo
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
