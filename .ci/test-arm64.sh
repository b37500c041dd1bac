#!/usr/bin/env bash
# The arm64 kernel families under emulation: cross-compiles the test
# binaries of the kernels, model and engine packages and runs them under
# qemu-user, with every feature (-cpu max: neon-bf16, neon-dotprod, neon)
# and with CPU models lacking BF16 (cortex-a76: neon-dotprod) and dot
# product (cortex-a57: neon only, the fallbacks). Also checks the NEON
# instruction encodings against GNU as. Installs Debian's qemu-user-static
# and binutils-aarch64-linux-gnu when missing (as root).
set -euo pipefail
cd "$(dirname "$0")/.."
GO=${GO:-go}

need=()
command -v qemu-aarch64-static >/dev/null 2>&1 || need+=(qemu-user-static)
command -v aarch64-linux-gnu-as >/dev/null 2>&1 || need+=(binutils-aarch64-linux-gnu)
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" != 0 ]; then
    echo "test-arm64: needs ${need[*]} (apt-get install ${need[*]})" >&2
    exit 1
  fi
  echo "test-arm64: installing ${need[*]}" >&2
  apt-get update -qq && apt-get install -y -qq "${need[@]}" >/dev/null
fi

LFM2_REQUIRE_AARCH64_AS=1 $GO test -count=1 ./internal/kernels/neonenc/

bin=$(mktemp -d)
trap 'rm -rf "$bin"' EXIT
for p in kernels model engine; do
  GOARCH=arm64 $GO test -c -o "$bin/$p.test" "./internal/$p/"
done

# run CPU PKG [go test flags…]: one package's tests, in its directory (the
# tests read testdata/ relative to it), bounded so a hang fails with stacks.
run() {
  local cpu=$1 pkg=$2
  shift 2
  echo "== qemu-aarch64 -cpu $cpu: internal/$pkg $*"
  local t0=$SECONDS
  (cd "internal/$pkg" && qemu-aarch64-static -cpu "$cpu" "$bin/$pkg.test" -test.count=1 -test.timeout 10m "$@")
  echo "   ($((SECONDS - t0)) s)"
}

# Every feature: the kernels' own tests cover all three families and both
# tiers; the model's fixture tests (logits against the references, GGUF
# files, tiers, chunked prefill) and the engine's run on the best one. The
# engine's structured-output tests are left to the native run: they
# exercise grammar compilation in Go, minutes under emulation, and no
# kernel the others miss.
run max kernels
run max model
run max engine -test.skip 'TestConstrainedOutputIsValid|TestConstrainedBatchInvariance|TestForcedToolCalls'

# The fallbacks: the families each CPU model leaves, and the fixture
# logits on the best of them (neon-dotprod, then plain neon).
run cortex-a76 kernels
run cortex-a76 model -test.run 'TestFixtureLogits|TestGGUFFastTier|TestGGUFKQuantFastTier|TestGGUFQ8FastTier|TestInt8$'
run cortex-a57 kernels
run cortex-a57 model -test.run 'TestFixtureLogits|TestGGUFFastTier|TestInt8$'
