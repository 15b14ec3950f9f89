# Vigil's two entry points on a fresh Debian 12 machine:
#   make demo   install packages, build, and run the main job on embedded defaults
#   make test   install packages, prepare the host, build, and run the whole suite
# (slow benchmarks and long evaluations are `make bench`, never part of `make test`).

BUILD ?= build
BUILD_TYPE ?= RelWithDebInfo
CTEST_JOBS ?= 2
VIGIL := $(BUILD)/src/cli/vigil

.PHONY: all deps prepare-host configure build fixtures test demo bench fuzz format format-check tidy clean

all: build

deps:
	@scripts/timed deps scripts/install-deps

prepare-host:
	@scripts/timed prepare-host scripts/prepare-host

configure:
	@cmake -G Ninja -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=$(BUILD_TYPE) > $(BUILD).configure.log 2>&1 \
	  || (cat $(BUILD).configure.log; exit 1)

build: configure
	@scripts/timed build ninja -C $(BUILD)

# Expensive fixtures (Debian minbase in every form, the langapp and bullseye images), built
# once per build dir.
# Exit 77 from a builder means its facility is absent here: the tests that need it skip.
fixtures: build
	@scripts/timed fixtures sh -c 'for f in minbase langapp bullseye; do \
	  testdata/e2e/make_$$f.sh $(BUILD)/fixtures/$$f; rc=$$?; \
	  if [ $$rc = 77 ]; then echo "fixtures: $$f image unavailable; its tests will skip"; \
	  elif [ $$rc != 0 ]; then exit $$rc; fi; done'

test: deps prepare-host build format-check tidy fixtures
	@scripts/timed test ctest --test-dir $(BUILD) --output-on-failure -j $(CTEST_JOBS) -LE slow

demo: deps prepare-host build fixtures
	@scripts/demo $(VIGIL)

bench: deps prepare-host build fixtures
	@scripts/timed bench-fixtures bench/make_big_image.sh $(BUILD)/fixtures/big-image
	ctest --test-dir $(BUILD) --output-on-failure -L slow

# libFuzzer build with clang; `fuzz` replays each target's seed corpus for <= 10 s.
fuzz: deps
	cmake -G Ninja -S . -B $(BUILD)-fuzz -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ \
	  -DVIGIL_FUZZ=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo
	ninja -C $(BUILD)-fuzz fuzz

format:
	@git ls-files '*.h' '*.cc' '*.c' | xargs clang-format -i

format-check:
	@scripts/timed format-check sh -c "git ls-files '*.h' '*.cc' '*.c' | xargs clang-format --dry-run -Werror"

# clang-tidy on the .cc files changed by the last commit and the working tree (at most
# TIDY_MAX, newest first: CI's 2 cores take ~20 s a file). Findings are printed, not fatal.
TIDY_MAX ?= 8
tidy: configure
	@files=$$( (git diff --name-only HEAD; git diff --name-only HEAD~1 HEAD 2>/dev/null) | \
	  grep -E '\.cc$$' | sort -u | while read f; do [ -f "$$f" ] && echo "$$f"; done | \
	  head -n $(TIDY_MAX)); \
	if [ -n "$$files" ]; then scripts/timed tidy clang-tidy -p $(BUILD) --quiet \
	  --extra-arg=-Wno-unknown-warning-option $$files || true; \
	else echo "tidy: no changed files"; fi

clean:
	rm -rf $(BUILD) $(BUILD)-fuzz $(BUILD).configure.log
