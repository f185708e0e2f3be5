# skin-preview: the two commands a newcomer needs.
#
#   make serve   set up, build the WASM package, serve the page at http://127.0.0.1:8080
#   make test    set up, lint, then every test (native, WASM in Chromium, page end to end)
#
# Both are safe to run again: set-up skips what is installed, the WASM package is
# rebuilt only when src/, Cargo.toml or Cargo.lock changed.

SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
.NOTPARALLEL:
.DEFAULT_GOAL := help

# node_modules/.bin first: wasm-pack must find binaryen's wasm-opt there (never Debian's).
export PATH := $(CURDIR)/node_modules/.bin:$(HOME)/.cargo/bin:$(PATH)

PORT ?= 8080
PKG := www/pkg/skin_preview_bg.wasm
RUST_SOURCES := $(shell find src -name '*.rs' 2>/dev/null) Cargo.toml Cargo.lock .cargo/config.toml

WASM_TEST_ENV := CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner \
	CHROMEDRIVER=/usr/bin/chromedriver

.PHONY: help setup build serve test lint test-native test-wasm test-types test-e2e clean

help:
	@echo "make serve   build and serve the page at http://127.0.0.1:$(PORT)"
	@echo "make test    lint and run every test"

setup:
	@bash .ci/setup

build: setup $(PKG)

$(PKG): $(RUST_SOURCES)
	wasm-pack build --release --target web --out-dir www/pkg -- --no-default-features
	@touch $@

serve: build
	@echo "Open http://127.0.0.1:$(PORT) (the sample photo shows first)."
	node .ci/serve.mjs --port $(PORT)

lint: setup
	cargo fmt --check
	cargo clippy --all-targets -- -D warnings
	cargo clippy --target wasm32-unknown-unknown --lib -- -D warnings
	cargo clippy --target wasm32-unknown-unknown --lib --no-default-features -- -D warnings

test-native: setup
	cargo test --all-targets

test-wasm: setup
	$(WASM_TEST_ENV) cargo test --target wasm32-unknown-unknown --test wasm_browser

# The package's .d.ts and the embedding example, type-checked with the pinned TypeScript.
test-types: build
	tsc -p www/example/tsconfig.json

test-e2e: build
	node --test tests/e2e/

test: setup lint test-native test-wasm test-types test-e2e

clean:
	rm -rf www/pkg tests/out

# Fuzzing (by hand, not part of `make test`): nightly + cargo-fuzz, FUZZ_SECONDS per target.
FUZZ_SECONDS ?= 600
.PHONY: fuzz
fuzz:
	command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz --locked
	mkdir -p fuzz/corpus/decode_analyze_project fuzz/corpus/profile_parse
	cp -n tests/data/*.jpg tests/data/*.png fuzz/corpus/decode_analyze_project/ || true
	find tests/data/corpus/fuzz -type f ! -name '*.md' -exec cp -n {} fuzz/corpus/decode_analyze_project/ \; || true
	cp -n src/evidence/default_profile.json fuzz/corpus/profile_parse/ || true
	cd fuzz && cargo +nightly fuzz run decode_analyze_project -- -max_total_time=$(FUZZ_SECONDS) -rss_limit_mb=2048 -timeout=20
	cd fuzz && cargo +nightly fuzz run profile_parse -- -max_total_time=$(FUZZ_SECONDS) -timeout=10

# Benchmarks (by hand, not part of `make test`; `make test-e2e` only smoke-tests the page).
# The native pipeline (cargo bench), the native CLI's analyze on the 12 MP JPEG, the
# per-stage WASM module (tests/bench/wasm → www/bench/stages-pkg), then the in-browser
# bench with the OpenCV.js peer in headless Chromium. BENCH_RUNS per stage.
# Results and how to read them: BENCHMARKS.md.
BENCH_RUNS ?= 7

# What a person waits for on the page (issue 19): real photos and the generated image
# through index.html, cold and warm, with the page's sub-measures. One table; BENCHMARKS.md.
.PHONY: bench-page
bench-page: build
	node tests/bench/page.mjs

# The engine alone in Chromium (issue 15): the face pass and the analysis of a 2 MP real
# photo, on the main thread; pass PKGS="dir1 dir2" to alternate built packages.
.PHONY: bench-engine
bench-engine: build
	node tests/bench/engine.mjs $(PKGS)

.PHONY: bench
bench: build
	@tmp=$$(mktemp -d) && trap 'rm -rf "$$tmp"' EXIT && \
	BENCH_RUNS=$(BENCH_RUNS) BENCH_WRITE_JPEG="$$tmp" cargo bench --bench pipeline && \
	echo && echo "Native CLI: skin-preview analyze on the 12 MP JPEG (wall time incl. decode, 3 runs):" && \
	for i in 1 2 3; do \
	  /usr/bin/time -f '  %e s, max RSS %M KB' "$${CARGO_TARGET_DIR:-target}/release/skin-preview" \
	    analyze "$$tmp/bench-12mp.jpg" > /dev/null; \
	done && echo && \
	(cd tests/bench/wasm && CARGO_TARGET_DIR="$${CARGO_TARGET_DIR:-$(CURDIR)/target}/bench-stages" \
	  wasm-pack --quiet build --release --target web --no-typescript \
	  --out-dir $(CURDIR)/www/bench/stages-pkg) && \
	node tests/bench/run.mjs --runs $(BENCH_RUNS) --gaussian
