#!/usr/bin/env bash
# Contract tests generated from openapi/newslens.v1.json by Portman (@apideck/portman 1.33.0) and run by
# Newman (6.2.2) against a running NewsLens.
#
# Needs NEWSLENS_BASE_URL (e.g. http://127.0.0.1:5123) and NEWSLENS_API_KEY (a key the server accepts).
# Steps: npm ci; Portman builds generated/newslens.postman.json (portman-cli-options.json, portman-config.json,
# oas-format-filter.json); summarize.mjs checks that every operation got its contract tests; Newman runs the
# collection; summarize.mjs prints the result. Exits non-zero if anything fails.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$here"
spec="../../../openapi/newslens.v1.json"

: "${NEWSLENS_BASE_URL:?NEWSLENS_BASE_URL must be set (e.g. http://127.0.0.1:5123)}"
: "${NEWSLENS_API_KEY:?NEWSLENS_API_KEY must be set}"
export NEWSLENS_API_KEY
# Every name and domain this run creates carries this suffix, so it never collides with earlier data.
NEWSLENS_RUN_ID="${NEWSLENS_RUN_ID:-c$(date +%s)$RANDOM}"
export NEWSLENS_RUN_ID

start=$(date +%s)
current="setup"
trap 'echo; echo "contract tests: FAILED during: $current ($(( $(date +%s) - start ))s)"' ERR
step() { current="$*"; printf '\n== contract tests: %s\n' "$*"; }

step "npm ci"
npm ci --no-audit --no-fund --loglevel=error

step "Portman: OpenAPI -> Postman collection with contract tests (baseUrl $NEWSLENS_BASE_URL)"
rm -rf generated tmp
mkdir -p generated
# Portman reads ./.env and PORTMAN_* variables into the collection; neither is used here.
npx --no-install portman --cliOptionsFile portman-cli-options.json --baseUrl "${NEWSLENS_BASE_URL%/}" > generated/portman.log 2>&1 || {
  cat generated/portman.log
  echo "contract tests: FAILED (Portman could not build the collection)"
  exit 1
}
grep -E 'Conversion successful|Collection written' generated/portman.log || true
if grep -qiE 'schemaValidation skipped|error:' generated/portman.log; then
  grep -iE 'schemaValidation skipped|error:' generated/portman.log
  echo "contract tests: FAILED (Portman reported problems while generating)"
  exit 1
fi
node summarize.mjs check generated/newslens.postman.json "$spec"

step "Newman: run the collection (run id $NEWSLENS_RUN_ID)"
node summarize.mjs env generated/newman-env.json
status=0
npx --no-install newman run generated/newslens.postman.json \
  --environment generated/newman-env.json \
  --reporters cli,json --reporter-json-export generated/newman-report.json \
  --reporter-cli-no-success-assertions --reporter-cli-no-console \
  --timeout-request 15000 --color off > generated/newman.log 2>&1 || status=$?
rm -f generated/newman-env.json
rm -rf tmp

if [ ! -s generated/newman-report.json ]; then
  cat generated/newman.log
  echo "contract tests: FAILED (Newman wrote no report, exit $status)"
  exit 1
fi
node summarize.mjs report generated/newman-report.json || status=$?
if [ "$status" -ne 0 ]; then
  # Newman's own totals (its full failure list is in generated/newman.log).
  sed -n '/┌─/,/└─/p' generated/newman.log
fi

echo
if [ "$status" -eq 0 ]; then
  echo "contract tests: OK ($(( $(date +%s) - start ))s)"
else
  echo "contract tests: FAILED (exit $status, $(( $(date +%s) - start ))s)"
fi
exit "$status"
