# A thin front for meson/ninja: the Quick start's two commands live here.
#   make deps   install the missing Debian 12 packages (as root; otherwise list them)
#   make        build into $(BUILD)
#   make demo   deps + build + analyse pcaps/demo.pcapng (quietly: the install and
#               build logs go to $(BUILD)/deps.log and $(BUILD)/build.log and are
#               printed only when a step fails)
#   make test   deps + build + every test (unit, end-to-end, live, tshark parity)
#   make bench  deps + build + bench/bench.sh (as root: it makes its captures
#               with nginx, wrk, ab and tcpdump; docs/performance.md)
#   make fuzz SECONDS=N   clang + libFuzzer build in $(FUZZ_BUILD), every fuzz
#               target N seconds (tests/fuzz/run.sh); non-zero on any crash

BUILD ?= build
MESON_OPTS ?=

# Build: compiler, meson and the libraries why401 links.
BUILD_PACKAGES = gcc pkg-config meson ninja-build libpcap-dev libssl-dev libglib2.0-dev \
                 node-llhttp libjansson-dev libnghttp2-dev zlib1g-dev libzstd-dev
# Tests: tshark (parity), tcpdump/curl/python3/iproute2 (live test), diffutils,
# zstd (compressed inputs; the test skips that case without it).
TEST_PACKAGES = python3 curl tcpdump tshark diffutils zstd iproute2
# Benchmark: what makes its captures (nginx, wrk, ab, tcpdump, network
# namespaces, libssl-dev for the key log shim), /usr/bin/time for peak RSS,
# capinfos/editcap/mergecap. tshark and httpry rows appear when installed.
BENCH_PACKAGES = nginx wrk apache2-utils tcpdump iproute2 openssl libssl-dev time wireshark-common

.PHONY: all build build-quiet deps deps-quiet deps-test deps-bench deps-fuzz demo test test-asan bench fuzz clean

all: build

build:
	@test -f $(BUILD)/build.ninja || meson setup $(BUILD) $(MESON_OPTS)
	ninja -C $(BUILD)

deps:
	@sh tests/install-deps.sh $(BUILD_PACKAGES)

# For the demo, the steps before the report keep their noise in a log, and
# show it only when they fail.
DEPS_LOG = $(BUILD)/deps.log
BUILD_LOG = $(BUILD)/build.log

deps-quiet:
	@mkdir -p $(BUILD)
	@sh tests/install-deps.sh $(BUILD_PACKAGES) > $(DEPS_LOG) 2>&1 || \
	  { cat $(DEPS_LOG) >&2; echo "why401: installing the packages failed (log: $(DEPS_LOG))" >&2; exit 1; }

build-quiet:
	@mkdir -p $(BUILD)
	@{ test -f $(BUILD)/build.ninja || meson setup $(BUILD) $(MESON_OPTS); } > $(BUILD_LOG) 2>&1 && \
	  ninja -C $(BUILD) >> $(BUILD_LOG) 2>&1 || \
	  { cat $(BUILD_LOG) >&2; echo "why401: the build failed (log: $(BUILD_LOG))" >&2; exit 1; }

deps-test:
	@sh tests/install-deps.sh $(BUILD_PACKAGES) $(TEST_PACKAGES)

# The report's exit status 1 (failures found) is what the demo is about, not an error.
demo: deps-quiet build-quiet
	@$(abspath $(BUILD))/why401 pcaps/demo.pcapng; status=$$?; [ $$status -le 1 ] || exit $$status

test: deps-test build
	meson test -C $(BUILD) --print-errorlogs

deps-bench:
	@sh tests/install-deps.sh $(BUILD_PACKAGES) $(BENCH_PACKAGES)

# BENCH_RUNS (pairs per row, 5), BENCH_4G=1 (the 4 GiB memory check),
# BENCH_DIR (where the captures are kept, bench/work), BENCH_TSHARK: see bench/bench.sh.
bench: deps-bench build
	bash bench/bench.sh $(BUILD)

# The same tests in a build with AddressSanitizer and UBSan (as CI runs them),
# except the slow tshark parity checks and the live capture, which the plain build runs.
ASAN_BUILD ?= build-asan
test-asan: deps-test
	@test -f $(ASAN_BUILD)/build.ninja || \
	  meson setup $(ASAN_BUILD) -Db_sanitize=address,undefined -Db_lundef=false -Dbuildtype=debug
	ninja -C $(ASAN_BUILD)
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
	  meson test -C $(ASAN_BUILD) --print-errorlogs --no-suite corpus --no-suite parity --no-suite live

# libFuzzer targets (one per parser, tests/meson.build) in a clang build whose
# stage libraries are instrumented, each run SECONDS seconds on its own copy
# of seeds made from pcaps/ (and ../shared/corpus) under $(FUZZ_BUILD)/corpus.
FUZZ_BUILD ?= build-fuzz
FUZZ_PACKAGES = clang libclang-rt-14-dev python3
SECONDS ?= 60
deps-fuzz:
	@sh tests/install-deps.sh $(BUILD_PACKAGES) $(FUZZ_PACKAGES)

fuzz: deps-fuzz
	@test -f $(FUZZ_BUILD)/build.ninja || \
	  CC=clang meson setup $(FUZZ_BUILD) -Dfuzz=true -Db_sanitize=address,undefined -Db_lundef=false
	ninja -C $(FUZZ_BUILD)
	sh tests/fuzz/run.sh $(FUZZ_BUILD) $(SECONDS)

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) $(FUZZ_BUILD)
