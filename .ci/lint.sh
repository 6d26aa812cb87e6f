#!/usr/bin/env bash
# Lints the committed OpenAPI document and the Dockerfile with the npm tools pinned in
# tools/lint/package-lock.json.
#
#   .ci/lint.sh
#
# Optional overrides (relative paths are taken from the repository root):
#   OPENAPI_FILE  OpenAPI document to lint (default: openapi/newslens.v1.json)
#   DOCKERFILE    Dockerfile to lint       (default: Dockerfile)
#
# Every check runs even if an earlier one failed; the script exits non-zero if any failed.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT="$PWD"

OPENAPI_FILE="${OPENAPI_FILE:-openapi/newslens.v1.json}"
DOCKERFILE="${DOCKERFILE:-Dockerfile}"
BIN="$ROOT/tools/lint/node_modules/.bin"

# No usage reporting or update checks from the tools (CI only reaches package registries).
export REDOCLY_TELEMETRY=off
export REDOCLY_SUPPRESS_UPDATE_NOTICE=true
export SCARF_ANALYTICS=false

failed=()

header() {
  printf '\n==> %s\n' "$*"
}

fail() {
  # $1 = check name, $2 = message
  printf 'FAIL [%s]: %s\n' "$1" "$2" >&2
  failed+=("$1")
}

require_file() {
  # $1 = check name, $2 = path
  if [[ ! -f "$2" ]]; then
    fail "$1" "file not found: $2"
    return 1
  fi
}

header "npm ci (tools/lint)"
(cd tools/lint && npm ci --no-audit --no-fund --ignore-scripts)

# --- OpenAPI --------------------------------------------------------------------------

header "redocly lint (recommended rules): $OPENAPI_FILE"
# Exits non-zero when there are errors; warnings are printed but do not fail.
if require_file redocly "$OPENAPI_FILE"; then
  if ! "$BIN/redocly" lint "$OPENAPI_FILE" --config tools/lint/redocly.yaml --format stylish; then
    fail redocly "redocly reported errors in $OPENAPI_FILE"
  fi
fi

header "spectral lint (spectral:oas, --fail-severity error): $OPENAPI_FILE"
if require_file spectral "$OPENAPI_FILE"; then
  if ! "$BIN/spectral" lint "$OPENAPI_FILE" --ruleset tools/lint/.spectral.yaml \
      --fail-severity error --fail-on-unmatched-globs; then
    fail spectral "spectral reported errors in $OPENAPI_FILE"
  fi
fi

# --- Dockerfile -----------------------------------------------------------------------

header "dockerfile-utils lint: $DOCKERFILE"
# dockerfile-utils exits 1 only for errors and 0 for warnings; it prints nothing for a
# clean file, so any output at all (warning or error) fails the check.
if require_file dockerfile-utils "$DOCKERFILE"; then
  rc=0
  out="$("$BIN/dockerfile-utils" lint "$DOCKERFILE" 2>&1)" || rc=$?
  if [[ -n "$out" ]]; then
    printf '%s\n' "$out"
  fi
  if [[ $rc -ne 0 || -n "$out" ]]; then
    fail dockerfile-utils "dockerfile-utils reported problems in $DOCKERFILE (exit $rc)"
  else
    echo "No problems found."
  fi
fi

header "dockerfilelint: $DOCKERFILE"
# dockerfilelint's exit code is the number of issues (so 256 issues would wrap to 0) and
# an argument that is not an existing file is linted as Dockerfile *content*; hence the
# explicit file check above and the issue count read from its JSON report. Its
# .dockerfilelintrc is always looked up at the repository root (-c), whatever file is linted.
if require_file dockerfilelint "$DOCKERFILE"; then
  rc=0
  "$BIN/dockerfilelint" -c "$ROOT" "$DOCKERFILE" || rc=$?
  json="$("$BIN/dockerfilelint" -c "$ROOT" -o json "$DOCKERFILE" || true)"
  issues="$(printf '%s' "$json" | node -e '
    let s = "";
    process.stdin.on("data", (c) => (s += c));
    process.stdin.on("end", () => {
      try {
        const n = JSON.parse(s).totalIssues;
        console.log(Number.isInteger(n) ? n : "unparsable");
      } catch {
        console.log("unparsable");
      }
    });')"
  if [[ $rc -ne 0 || "$issues" != "0" ]]; then
    fail dockerfilelint "dockerfilelint reported problems in $DOCKERFILE (exit $rc, issues: $issues)"
  fi
fi

# --- Summary --------------------------------------------------------------------------

echo
if ((${#failed[@]})); then
  echo "lint: FAILED (${failed[*]})" >&2
  exit 1
fi
echo "lint: all checks passed"
