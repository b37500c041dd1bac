# lfm2 — build, test, benchmark, lint.
GO      ?= go
BIN     ?= lfm2
PKGS    := ./...
STATICCHECK_VERSION ?= v0.8.2

.PHONY: build test test-go test-purego test-families test-race test-cli test-client test-arm64 test-bench lint bench fuzz demo clean

build:
	$(GO) build -o $(BIN) ./cmd/lfm2

# The command CI runs: lint, the whole suite with the dispatched kernels and
# again with the pure-Go kernels, the README's examples, and the server
# under the openai client, the arm64 kernel families under emulation, and
# make bench's benchmarks once each.
test: lint test-go test-purego test-families test-race test-cli test-client test-arm64 test-bench

# .ci/run installs gcc, hence binutils: the AVX-VNNI encoding test must run.
test-go:
	LFM2_REQUIRE_X86_AS=$$( [ "$$(go env GOARCH)" = amd64 ] && echo 1 ) $(GO) test -count=1 $(PKGS)

test-purego:
	$(GO) test -count=1 -tags purego $(PKGS)

# The model and engine tests again with each family below the best one (a
# family this CPU lacks falls back to the best, so this runs anywhere; the
# kernels' own tests always cover every available family and tier).
test-families:
	LFM2_KERNELS=avx512bf16 $(GO) test -count=1 ./internal/model/ ./internal/scheduler/
	LFM2_KERNELS=avx512 $(GO) test -count=1 ./internal/model/ ./internal/scheduler/
	LFM2_KERNELS=avx2 $(GO) test -count=1 ./internal/model/ ./internal/scheduler/
	# AVX2 without its AVX-VNNI kernels (Q8_0, Q4_K and Q6_K on int16
	# activations), as on Zen 2/3 and Intel before Alder Lake; the runtime
	# warns it does not know the feature's name, x/sys/cpu does. On a CPU
	# without AVX-VNNI the line above ran them already.
	if grep -qw avx_vnni /proc/cpuinfo 2>/dev/null; then \
		GODEBUG=cpu.avxvnni=off LFM2_KERNELS=avx2 $(GO) test -count=1 ./internal/kernels/ ./internal/model/ ./internal/scheduler/; \
	fi

# The concurrent packages under the race detector.
test-race:
	$(GO) test -count=1 -race ./internal/engine/ ./internal/server/ ./internal/cache/

# Runs the commands the README shows, on the fixture and synthetic models.
test-cli: build
	bash .ci/readme-examples.sh ./$(BIN)

# lfm2 serve driven by the official openai npm client (installs it with npm ci).
test-client: build
	bash .ci/openai-client.sh ./$(BIN)

# The arm64 families (neon, neon-dotprod, neon-bf16) under qemu-user, with
# every CPU feature and without BF16 and dot product; the NEON encodings
# against GNU as. Installs qemu-user-static and binutils-aarch64-linux-gnu
# when missing (as root).
test-arm64:
	GO=$(GO) bash .ci/test-arm64.sh

lint:
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	$(GO) vet $(PKGS)
	$(GO) vet -tags purego $(PKGS)
	GOARCH=arm64 $(GO) vet $(PKGS)       # the arm64 assembly's frames and arguments (asmdecl)
	$(GO) vet -tags hftokenizers $(PKGS)   # type-checks the Rust backend; needs only its C header
	$(GO) run honnef.co/go/tools/cmd/staticcheck@$(STATICCHECK_VERSION) $(PKGS)
	# No CPU feature or OS is required: the pure-Go kernels build everywhere.
	for t in linux/arm64 darwin/arm64 windows/amd64; do GOOS=$${t%/*} GOARCH=$${t#*/} $(GO) build -o /dev/null ./cmd/lfm2 || exit 1; done

bench:
	$(GO) test -run '^$$' -bench . -benchmem ./internal/kernels/ ./internal/tokenizer/

# make bench's benchmarks, one iteration each: a benchmark that no longer
# runs fails the suite (timings mean nothing here).
test-bench:
	$(GO) test -count=1 -run '^$$' -bench . -benchtime 1x ./internal/kernels/ ./internal/tokenizer/

# Each fuzz target for 60 s (their seeds run in every make test).
fuzz:
	$(GO) test -run '^$$' -fuzz FuzzParseHeader -fuzztime 60s ./internal/safetensors/
	$(GO) test -run '^$$' -fuzz FuzzConfig -fuzztime 60s ./internal/model/
	$(GO) test -run '^$$' -fuzz FuzzBatchLine -fuzztime 60s ./cmd/lfm2/
	$(GO) test -run '^$$' -fuzz FuzzParse -fuzztime 60s ./internal/toolcall/
	$(GO) test -run '^$$' -fuzz FuzzParse -fuzztime 60s ./internal/gguf/
	$(GO) test -run '^$$' -fuzz FuzzTemplate -fuzztime 60s ./internal/jinja/
	$(GO) test -run '^$$' -fuzz FuzzParse -fuzztime 60s -fuzzminimizetime 2s ./internal/tokenizer/
	$(GO) test -run '^$$' -fuzz FuzzGrammar -fuzztime 60s ./internal/grammar/

demo: build
	./$(BIN) run --model synthetic:350m --max-tokens 32 "Hello"

clean:
	rm -f $(BIN)
