#!/usr/bin/env bash
# Drives `lfm2 serve` with the official openai npm client (test/openai-client).
# Usage: .ci/openai-client.sh ./lfm2
set -euo pipefail
bin=$(realpath "$1")
cd "$(dirname "$0")/.."
dir=test/openai-client
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  echo "openai-client: installing nodejs and npm from Debian packages" >&2
  apt-get update -qq && apt-get install -y -qq nodejs npm >/dev/null
fi
(cd "$dir" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
log=$(mktemp)
"$bin" serve --model testdata/fixtures/tiny-bf16 --port 0 --api-key test-key --parallel 4 2>"$log" &
pid=$!
trap 'kill $pid 2>/dev/null || true; rm -f "$log"' EXIT
url=
for _ in $(seq 600); do
  url=$(sed -n 's|.*serving .* at \(http://[^ ]*\)/v1.*|\1|p' "$log")
  [ -n "$url" ] && break
  kill -0 $pid 2>/dev/null || { cat "$log" >&2; exit 1; }
  sleep 0.1
done
[ -n "$url" ] || { echo "openai-client: the server did not start" >&2; cat "$log" >&2; exit 1; }
LFM2_URL=$url LFM2_KEY=test-key timeout 300 node "$dir/client.mjs"
kill -TERM $pid
wait $pid
