#!/usr/bin/env bash
# The dashboard in a real browser: headless Chromium from Debian, driven by Selenium through Debian's chromedriver.
#   1. installs the Debian packages chromium and chromium-driver when missing, and axe-core (npm ci in tools/browser);
#   2. publishes the service (Release) and starts it on a loopback port with a temporary database and the demo data;
#   3. runs tests/NewsLens.BrowserTests against it (NEWSLENS_BROWSER_BASE_URL), which save screenshots of the list and
#      a story page at 1280 and 360 px into tests/browser/output/ (or $NEWSLENS_BROWSER_OUTPUT);
#   4. stops the server by its process id, also on failure.
# Nothing downloads a browser or a driver: both are named by path, and Selenium Manager is pointed at nothing.
# Usage: bash tests/browser/run.sh   (needs the .NET SDK and Node.js with npm; root for apt-get when the packages are missing)
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/../.."
source tests/ports.sh
started=$(date +%s)

export CHROMIUM=${CHROMIUM:-/usr/bin/chromium}
export CHROMEDRIVER=${CHROMEDRIVER:-/usr/bin/chromedriver}
if [ ! -x "$CHROMIUM" ] || [ ! -x "$CHROMEDRIVER" ]; then
  echo "==> installing Debian packages: chromium chromium-driver"
  (export DEBIAN_FRONTEND=noninteractive; apt-get update -qq && apt-get install -y -qq chromium chromium-driver)
fi
echo "==> $("$CHROMIUM" --version 2>/dev/null | tail -n 1); $("$CHROMEDRIVER" --version)"

echo "==> npm ci (tools/browser: axe-core)"
(cd tools/browser && npm ci --no-audit --no-fund --ignore-scripts --silent)
export NEWSLENS_AXE_SCRIPT="$PWD/tools/browser/node_modules/axe-core/axe.min.js"
# Selenium Manager would look for (and download) browsers and drivers; it is never needed, and must never run.
export SE_MANAGER_PATH=/nonexistent/selenium-manager

output=${NEWSLENS_BROWSER_OUTPUT:-$PWD/tests/browser/output}
mkdir -p "$output"
rm -f "$output"/*.png
export NEWSLENS_BROWSER_OUTPUT="$output"

work=$(mktemp -d)
server_pid=""
trap 'stop_server; rm -rf "$work"' EXIT

echo "==> publishing the service; building the browser tests"
dotnet publish src/NewsLens.Api -c Release -o "$work/publish" --nologo -v quiet
dotnet build tests/NewsLens.BrowserTests --nologo -v quiet

port=${NEWSLENS_BROWSER_PORT:-$(free_port)}
echo "==> starting it with the demo data on 127.0.0.1:$port"
ASPNETCORE_ENVIRONMENT=Production \
ASPNETCORE_URLS="http://127.0.0.1:$port" \
ConnectionStrings__NewsLens="Data Source=$work/browser.db" \
Demo__Seed=true \
Logging__LogLevel__Default=Warning \
  dotnet "$work/publish/NewsLens.Api.dll" > "$work/server.log" 2>&1 &
server_pid=$!

wait_ready "http://127.0.0.1:$port" "$work/server.log" || exit 1

echo "==> browser tests (tests/NewsLens.BrowserTests)"
status=0
NEWSLENS_BROWSER_BASE_URL="http://127.0.0.1:$port" \
  dotnet test tests/NewsLens.BrowserTests --no-build --nologo || status=$?

if ! kill -0 "$server_pid" 2>/dev/null; then
  echo "the server died during the browser tests:" >&2
  cat "$work/server.log" >&2
  status=1
fi

echo
echo "screenshots: $output"
ls -1 "$output"
echo "browser tests took $(( $(date +%s) - started )) s"
if [ "$status" -ne 0 ]; then
  tail -n 50 "$work/server.log" >&2
  echo "browser: FAILED"
  exit 1
fi
echo "browser: all passed"
