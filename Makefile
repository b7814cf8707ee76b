# tuicall: `make run` installs what is missing, builds and starts tuicall; `make test` runs every test.
export PATH := /opt/swift/usr/bin:$(PATH)
SWIFT ?= swift
ARGS ?=

.PHONY: deps build release run test bench clean

deps:
	@scripts/bootstrap

build: deps
	$(SWIFT) build --product tuicall

release: deps
	$(SWIFT) build -c release --product tuicall

# Until the terminal UI lands, the main job is the signaling server on 127.0.0.1:6503.
run: build
	.build/debug/tuicall serve $(ARGS)

test: deps
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build

bench: release
	.build/release/tuicall bench server
	.build/release/tuicall bench codec
	.build/release/tuicall bench render

clean:
	rm -rf .build
