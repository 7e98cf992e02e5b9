# candor: the two commands are `make run` and `make test`. See README.md.
JOBS ?= $(shell nproc)
DATA ?= var/demo
LISTEN ?= 127.0.0.1:8080
FUZZ_SECONDS ?= 30

.PHONY: all deps build run test fuzz bench clean

all: build

deps:
	@scripts/deps.sh bench

build:
	@scripts/deps.sh build
	@cmake -S . -B build -DCMAKE_BUILD_TYPE=Release >/dev/null
	@cmake --build build -j$(JOBS)

run: build
	@[ -d $(DATA) ] || build/candor init --data $(DATA) --demo
	build/candor serve --data $(DATA) --listen $(LISTEN)

test:
	@scripts/deps.sh test
	@cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DCANDOR_SANITIZE=ON >/dev/null
	@cmake --build build-asan -j$(JOBS)
	@tests/run.sh build-asan

fuzz:
	@scripts/deps.sh test
	@CC=clang cmake -S . -B build-fuzz -DCANDOR_FUZZ=ON >/dev/null
	@cmake --build build-fuzz -j$(JOBS)
	@scripts/fuzz.sh build-fuzz $(FUZZ_SECONDS)

bench: build
	@scripts/deps.sh bench
	@bench/serve.sh
	@bench/report.sh
	@bench/ingest.sh

clean:
	rm -rf build build-asan build-fuzz
