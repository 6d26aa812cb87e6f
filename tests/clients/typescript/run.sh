#!/usr/bin/env bash
# Generated TypeScript client (openapi-typescript 7.13.0 + openapi-fetch 0.17.0) against a running NewsLens.
#
# Needs NEWSLENS_BASE_URL (e.g. http://127.0.0.1:5123) and NEWSLENS_API_KEY (a key the server accepts).
# Steps: npm ci; generate generated/schema.d.ts from openapi/newslens.v1.json; tsc --strict --noEmit;
# emit build/scenario.js; run it. Exits non-zero on any failure.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$here"
spec="../../../openapi/newslens.v1.json"

: "${NEWSLENS_BASE_URL:?NEWSLENS_BASE_URL must be set (e.g. http://127.0.0.1:5123)}"
: "${NEWSLENS_API_KEY:?NEWSLENS_API_KEY must be set}"

start=$(date +%s)
current="setup"
trap 'echo; echo "typescript client: FAILED during: $current ($(( $(date +%s) - start ))s)"' ERR
step() { current="$*"; printf '\n== typescript client: %s\n' "$*"; }

step "npm ci"
npm ci --no-audit --no-fund --loglevel=error

step "generate generated/schema.d.ts from ${spec#../../../}"
rm -rf generated build
npx --no-install openapi-typescript "$spec" --output generated/schema.d.ts

step "type-check (tsc --strict --noEmit)"
npx --no-install tsc --strict --noEmit -p tsconfig.json

step "run scenario.ts against $NEWSLENS_BASE_URL"
# Type-checked above; this only emits the JavaScript.
npx --no-install tsc -p tsconfig.json --noCheck --outDir build
status=0
node build/scenario.js || status=$?

echo
if [ "$status" -eq 0 ]; then
  echo "typescript client: OK ($(( $(date +%s) - start ))s)"
else
  echo "typescript client: FAILED (exit $status, $(( $(date +%s) - start ))s)"
fi
exit "$status"
