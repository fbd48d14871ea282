# Tactus: one entry point for set-up, build, demo and tests on a fresh Debian 12 machine.
#   make demo   installs what is needed, builds, and plays the bundled demo (or renders it to out/demo.wav)
#   make test   installs, builds with warnings as errors, runs the tests, then again under ASan+UBSan
#               (all but the 2.5-minute GUI flood, a timing test that the sanitizers' slowdown would distort),
#               then the lock-free tests (threads crossing the audio thread) under ThreadSanitizer,
#               then fuzzes the OSC dispatch and the MIDI file reader for a minute each and the access
#               rules (paths, token), the Csound policy, the SoundFont reader and the document reader for half
#               a minute each (fuzz-ci)
JOBS ?= $(shell nproc)
BUILD ?= build
DEBIAN_PACKAGES := build-essential cmake ninja-build pkg-config nlohmann-json3-dev libsndfile1-dev libvorbis-dev \
	libcli11-dev libgtest-dev libgmock-dev libbenchmark-dev libjack-jackd2-dev jackd2 librtaudio-dev \
	librtmidi-dev liblo-dev liblo-tools zlib1g-dev libssl-dev clang libclang-rt-14-dev python3-mido \
	qt6-base-dev xvfb xauth xdotool ccache libcsound64-dev csound fluid-soundfont-gm \
	fluidr3mono-gm-soundfont libfluidsynth-dev fluidsynth \
	liblilv-dev lv2-dev lilv-utils mda-lv2 x42-plugins dragonfly-reverb-lv2 swh-lv2
# ccache keeps CI quick: the CI machine is ours, so its cache stays warm between runs. Paths below
# the checkout are hashed relative to it (and the build directory not at all), so a fresh clone in
# another directory still hits the cache.
CCACHE := -DCMAKE_C_COMPILER_LAUNCHER=ccache -DCMAKE_CXX_COMPILER_LAUNCHER=ccache
export CCACHE_BASEDIR := $(CURDIR)
export CCACHE_NOHASHDIR := true
CMAKE_FLAGS ?=

.PHONY: all deps build demo test test-release test-asan test-tsan fuzz-ci bench format clean clear-stale-jack

all: build

# Installs only what is missing, so repeated runs are quick; apt-get update comes first.
deps:
	@missing=$$(for p in $(DEBIAN_PACKAGES); do dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q 'install ok installed' || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  echo "Installing Debian packages:$$missing"; \
	  SUDO=$$( [ "$$(id -u)" -eq 0 ] || echo sudo ); \
	  $$SUDO apt-get update && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y --no-install-recommends $$missing; \
	fi

build: deps
	cmake -S . -B $(BUILD) -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo $(CCACHE) $(CMAKE_FLAGS)
	cmake --build $(BUILD) -j $(JOBS)

# Plays through tactusd when a JACK server or an audio device is there; otherwise renders to a file.
demo: build
	@mkdir -p out
	./$(BUILD)/src/cli/tactus play examples/demo.json --fallback-render out/demo.wav

test: test-release test-asan test-tsan fuzz-ci

# Test JACK servers that were killed (SIGKILL after a hung test, a killed test run) leave their
# registrations in /dev/shm, and after a few of them jackd refuses to start ("Too many servers already
# active"). When no jackd runs at all, every registration there is stale: clear the tests' ones.
clear-stale-jack:
	@if ! grep -qsx -e jackd -e jackdmp /proc/[0-9]*/comm; then \
	  rm -f /dev/shm/jack-shm-registry /dev/shm/jack_tactus-test-* /dev/shm/jack_sem.*_tactus-test-*; fi

test-release: deps clear-stale-jack
	cmake -S . -B build-ci -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DTACTUS_WERROR=ON $(CCACHE) $(CMAKE_FLAGS)
	cmake --build build-ci -j $(JOBS)
	ctest --test-dir build-ci --output-on-failure -j $(JOBS)

test-asan: deps clear-stale-jack
	cmake -S . -B build-asan -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DTACTUS_WERROR=ON -DTACTUS_SANITIZE=ON \
	  -DTACTUS_BUILD_BENCH=OFF $(CCACHE) $(CMAKE_FLAGS)
	cmake --build build-asan -j $(JOBS)
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	  LSAN_OPTIONS=suppressions=$(CURDIR)/tests/sanitizers/lsan.supp:print_suppressions=0 \
	  ctest --test-dir build-asan --output-on-failure -j $(JOBS) -LE gui_flood

# Only the lock-free tests: they are the code whose correctness depends on memory ordering. Some
# kernels randomise mmap more than TSan's fixed memory layout allows ("unexpected memory mapping");
# running without address randomisation (setarch -R) avoids that, where setarch is allowed.
test-tsan: deps
	cmake -S . -B build-tsan -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DTACTUS_WERROR=ON -DTACTUS_TSAN=ON \
	  -DTACTUS_BUILD_BENCH=OFF $(CCACHE) $(CMAKE_FLAGS)
	cmake --build build-tsan -j $(JOBS) --target tactus_lockfree_tests
	norandom=$$(setarch $$(uname -m) -R true 2>/dev/null && echo "setarch $$(uname -m) -R"); \
	  TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1 $$norandom ./build-tsan/tests/tactus_lockfree_tests

# libFuzzer on the OSC control path (fuzz/osc_dispatch.fuzz.cpp: packet parser, argument validation,
# engine host) with ASan+UBSan, clang only, for FUZZ_SECONDS. It fuzzes a copy of the seed corpus in a
# temporary directory, so the repository is never written; a crash input lands in build-fuzz/ (and
# is printed in base64). Runs from the repository root: the seeds /load examples/demo.json. Then
# fuzz/access.fuzz.cpp (path rules and token check, with oracles) for ACCESS_FUZZ_SECONDS, and
# fuzz/csound_policy.fuzz.cpp (the Csound orchestra policy's text reading, with oracles) and
# fuzz/sf2_reader.fuzz.cpp (the SoundFont reader and zone selection, with oracles) as long.
FUZZ_SECONDS ?= 60
ACCESS_FUZZ_SECONDS ?= 30
fuzz-ci: deps
	CC=clang CXX=clang++ cmake -S . -B build-fuzz -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DTACTUS_FUZZ=ON \
	  -DTACTUS_RTCHECK=OFF -DTACTUS_BUILD_TESTS=OFF -DTACTUS_BUILD_BENCH=OFF $(CCACHE) $(CMAKE_FLAGS)
	cmake --build build-fuzz -j $(JOBS) --target osc_dispatch_fuzz midi_file_fuzz access_fuzz \
	  csound_policy_fuzz sf2_reader_fuzz document_json_fuzz
	corpus=$$(mktemp -d) && cp fuzz/corpus/osc_dispatch/* $$corpus/ && \
	  ./build-fuzz/fuzz/osc_dispatch_fuzz -max_total_time=$(FUZZ_SECONDS) -print_final_stats=1 -timeout=25 \
	    -dict=fuzz/osc_dispatch.dict -artifact_prefix=build-fuzz/ $$corpus; \
	  status=$$?; rm -rf $$corpus; exit $$status
	corpus=$$(mktemp -d) && cp fuzz/corpus/access/* $$corpus/ && \
	  ./build-fuzz/fuzz/access_fuzz -max_total_time=$(ACCESS_FUZZ_SECONDS) -print_final_stats=1 -timeout=25 \
	    -dict=fuzz/access.dict -artifact_prefix=build-fuzz/ $$corpus; \
	  status=$$?; rm -rf $$corpus; [ $$status -eq 0 ] || exit $$status
	corpus=$$(mktemp -d) && cp fuzz/corpus/csound_policy/* $$corpus/ && \
	  ./build-fuzz/fuzz/csound_policy_fuzz -max_total_time=$(ACCESS_FUZZ_SECONDS) -print_final_stats=1 -timeout=25 \
	    -dict=fuzz/csound_policy.dict -artifact_prefix=build-fuzz/ $$corpus; \
	  status=$$?; rm -rf $$corpus; [ $$status -eq 0 ] || exit $$status
	corpus=$$(mktemp -d) && cp fuzz/corpus/sf2_reader/* $$corpus/ && \
	  ./build-fuzz/fuzz/sf2_reader_fuzz -max_total_time=$(ACCESS_FUZZ_SECONDS) -print_final_stats=1 -timeout=25 \
	    -dict=fuzz/sf2_reader.dict -artifact_prefix=build-fuzz/ $$corpus; \
	  status=$$?; rm -rf $$corpus; [ $$status -eq 0 ] || exit $$status
	corpus=$$(mktemp -d) && cp fuzz/corpus/document_json/* $$corpus/ && \
	  ./build-fuzz/fuzz/document_json_fuzz -max_total_time=$(ACCESS_FUZZ_SECONDS) -print_final_stats=1 -timeout=25 \
	    -dict=fuzz/document_json.dict -artifact_prefix=build-fuzz/ $$corpus; \
	  status=$$?; rm -rf $$corpus; [ $$status -eq 0 ] || exit $$status
	corpus=$$(mktemp -d) && cp fuzz/corpus/midi_file/* $$corpus/ && \
	  ./build-fuzz/fuzz/midi_file_fuzz -max_total_time=$(FUZZ_SECONDS) -print_final_stats=1 -timeout=25 \
	    -artifact_prefix=build-fuzz/ $$corpus; \
	  status=$$?; rm -rf $$corpus; exit $$status

bench: build
	./$(BUILD)/bench/bench_synth_voices --benchmark_min_time=0.5
	./$(BUILD)/bench/bench_render_demo --benchmark_min_time=2

format:
	find src tests bench fuzz -name '*.h' -o -name '*.cpp' | xargs clang-format -i

clean:
	rm -rf build build-ci build-asan build-tsan build-fuzz out
