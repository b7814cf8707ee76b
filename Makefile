# tuicall: `make run` installs what is missing, builds and starts tuicall; `make test` runs every test.
export PATH := /opt/swift/usr/bin:$(PATH)
SWIFT ?= swift
ARGS ?=

.PHONY: deps test-deps build release run serve demo test bench clean

deps:
	@scripts/bootstrap

test-deps:
	@scripts/bootstrap --test

build: deps
	$(SWIFT) build --product tuicall

release: deps
	$(SWIFT) build -c release --product tuicall

# The main job: the terminal client. With no --server it joins 127.0.0.1:6503 or starts an embedded server.
run: build
	.build/debug/tuicall $(ARGS)

# Two clients side by side in tmux, calling each other with the test pattern and a tone.
demo: build
	@scripts/demo

serve: build
	.build/debug/tuicall serve $(ARGS)

# Serial: CPU-heavy codec tests would otherwise starve the real-time network tests on 2 cores
# (the whole suite takes under a minute this way).
test: test-deps
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build --no-parallel

bench: release
	.build/release/tuicall bench server
	.build/release/tuicall bench hostile
	.build/release/tuicall bench codec
	.build/release/tuicall bench render
	.build/release/tuicall bench transport
	.build/release/tuicall bench call
	@if command -v chromium >/dev/null 2>&1; then .build/release/tuicall bench browser; \
	else echo "bench browser skipped: Chromium is not installed (scripts/bootstrap --test installs it)"; fi

clean:
	rm -rf .build
