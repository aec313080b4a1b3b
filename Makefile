# The two commands of the README: `make run` and `make test`. CMake does the building.
JOBS ?= 2
CMAKE_FLAGS ?=

.PHONY: all deps build run test test-unit memcheck fuzz bench clean

all: build

deps:
	@scripts/install-deps

build: deps
	@cmake -S . -B build $(CMAKE_FLAGS) >/dev/null
	@cmake --build build -j$(JOBS)

# Unit tests once more under ASan+UBSan (clang), with the libFuzzer targets for a bounded run.
build-asan: deps
	@cmake -S . -B build-asan -DCMAKE_C_COMPILER=clang -DCUSTOS_SANITIZE=ON \
	    -DCMAKE_BUILD_TYPE=Debug >/dev/null
	@cmake --build build-asan -j$(JOBS)

test: build build-asan
	@scripts/check-style
	@scripts/check-layers
	@scripts/check-model
	cd build-asan && ctest -j$(JOBS) -L 'unit|fuzz' --output-on-failure
	cd build && ctest -j$(JOBS) -LE memcheck --output-on-failure

# Every end-to-end file with the server under valgrind; make test runs the share listed
# in tests/e2e/valgrind.list.
memcheck: build
	cd build && ctest -j$(JOBS) -L 'valgrind|memcheck' --output-on-failure

fuzz: build-asan
	cd build-asan && CUSTOS_FUZZ_RUNS=2000000 ctest -L fuzz --output-on-failure

run: build
	@mkdir -p data
	./build/custos serve --data-dir ./data

bench: build
	@bench/run

clean:
	rm -rf build build-asan
