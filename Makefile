# A thin front for meson/ninja: the Quick start's two commands live here.
#   make deps   install the missing Debian 12 packages (as root; otherwise list them)
#   make        build into $(BUILD)
#   make demo   deps + build + analyse pcaps/demo.pcapng
#   make test   deps + build + every test (unit, end-to-end, live, corpus parity)

BUILD ?= build
MESON_OPTS ?=

# Build: compiler, meson and the libraries why401 links.
BUILD_PACKAGES = gcc pkg-config meson ninja-build libpcap-dev libssl-dev libglib2.0-dev \
                 node-llhttp libjansson-dev libnghttp2-dev
# Tests: tshark (corpus parity), tcpdump/curl/python3 (live test), diffutils.
TEST_PACKAGES = python3 curl tcpdump tshark diffutils

.PHONY: all build deps deps-test demo test clean

all: build

build:
	@test -f $(BUILD)/build.ninja || meson setup $(BUILD) $(MESON_OPTS)
	ninja -C $(BUILD)

deps:
	@sh tests/install-deps.sh $(BUILD_PACKAGES)

deps-test:
	@sh tests/install-deps.sh $(BUILD_PACKAGES) $(TEST_PACKAGES)

demo: deps build
	./$(BUILD)/why401 pcaps/demo.pcapng; status=$$?; [ $$status -le 1 ] || exit $$status

test: deps-test build
	meson test -C $(BUILD) --print-errorlogs

clean:
	rm -rf $(BUILD)
