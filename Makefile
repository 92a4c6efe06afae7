# ADO Connect: the README's commands. Each installs what is missing first (idempotent).
SHELL := /bin/bash
export CARGO_BUILD_JOBS ?= 2
export CARGO_TERM_COLOR ?= never
APP_DEBUG := target/debug/ado-connect-app

.PHONY: deps run demo test test-rust test-ui test-e2e app-debug bench bundle screenshots fmt lint clean-artifacts

deps:
	@scripts/deps.sh

## Build the app with the front end embedded (debug), the CLI and the simulator.
app-debug: deps
	npx tauri build --debug --no-bundle
	cargo build -p ado-sim -p ado-connect

## Open the app against the real Microsoft endpoints.
run: app-debug
	$(APP_DEBUG)

## Open the app against the built-in simulator (ado-sim on 127.0.0.1).
demo: app-debug
	scripts/demo.sh

## Every test: Rust (unit, integration, real keychain), UI (headless Chromium), end-to-end (Xvfb + WebDriver).
test: deps
	scripts/test.sh

test-rust: deps
	scripts/test.sh rust

test-ui: deps
	scripts/test.sh ui

test-e2e: deps
	scripts/test.sh e2e

## Benchmarks; figures are written to docs/benchmarks.md.
bench: deps
	scripts/bench.sh

## Release app and Linux packages (.deb, .rpm) with SHA256SUMS and GPG signatures (key from the
## environment, see docs/it-desks.md). AppImage is configured but needs downloads.
bundle: deps
	scripts/bundle.sh

## Copy the screenshots of the last end-to-end run into docs/screenshots.
screenshots:
	cp artifacts/screenshots/*.png docs/screenshots/

fmt:
	cargo fmt --all

lint:
	cargo fmt --all --check
	cargo clippy --workspace --all-targets -- -D warnings
