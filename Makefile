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
RUST_SOURCES := $(shell find src -name '*.rs' 2>/dev/null) Cargo.toml Cargo.lock

WASM_TEST_ENV := CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner \
	CHROMEDRIVER=/usr/bin/chromedriver

.PHONY: help setup build serve test lint test-native test-wasm test-e2e clean

help:
	@echo "make serve   build and serve the page at http://127.0.0.1:$(PORT)"
	@echo "make test    lint and run every test"

setup:
	@bash .ci/setup

build: setup $(PKG)

$(PKG): $(RUST_SOURCES)
	wasm-pack build --release --target web --out-dir www/pkg --no-typescript
	@touch $@

serve: build
	@echo "Open http://127.0.0.1:$(PORT) (the sample photo shows first)."
	node .ci/serve.mjs --port $(PORT)

lint: setup
	cargo fmt --check
	cargo clippy --all-targets -- -D warnings
	cargo clippy --target wasm32-unknown-unknown --lib -- -D warnings

test-native: setup
	cargo test --all-targets

test-wasm: setup
	$(WASM_TEST_ENV) cargo test --target wasm32-unknown-unknown --test wasm_browser

test-e2e: build
	node --test tests/e2e/

test: setup lint test-native test-wasm test-e2e

clean:
	rm -rf www/pkg tests/out
