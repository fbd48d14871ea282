// What small blocks cost: each document rendered in this process (no file, no process start) at
// --block 512 and at --block 64 (or the blocks given), one thread, interleaved REPS times. Prints the
// median CPU time of each block size and how much more the small blocks cost. The output is checked
// to be the same to the bit at every size, so the comparison is of the same work.
//
//   bench_block_cost [--reps N] [--blocks 512,64] FILE.json...
#include <time.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "core/document_json.h"
#include "engine/offline_render.h"

namespace {

double thread_cpu_seconds() {
    timespec t{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return static_cast<double>(t.tv_sec) + 1e-9 * static_cast<double>(t.tv_nsec);
}

struct Run {
    double cpu_seconds = 0.0;
    std::uint64_t checksum = 0;  // FNV-1a of every sample's bits
    tactus::Frame frames = 0;
};

// With `check`, every sample goes into the checksum (that run is not a measure).
Run render(const tactus::Document& doc, int block, bool check) {
    tactus::OfflineRenderOptions options;
    options.block_frames = block;
    std::string error;
    auto render = tactus::OfflineRender::create(doc, options, &error);
    if (!render) {
        std::fprintf(stderr, "error: %s\n", error.c_str());
        std::exit(1);
    }
    std::vector<float> left(static_cast<std::size_t>(block)), right(left.size());
    Run run;
    run.checksum = 1469598103934665603ull;
    const double started = thread_cpu_seconds();
    for (int frames; (frames = render->render_next(left.data(), right.data())) > 0;) {
        for (int i = 0; check && i < frames; ++i) {
            std::uint32_t bits[2];
            std::memcpy(&bits[0], &left[static_cast<std::size_t>(i)], 4);
            std::memcpy(&bits[1], &right[static_cast<std::size_t>(i)], 4);
            run.checksum = (run.checksum ^ (std::uint64_t(bits[0]) << 32 | bits[1])) * 1099511628211ull;
        }
    }
    run.cpu_seconds = thread_cpu_seconds() - started;
    run.frames = render->frames_rendered();
    return run;
}

double median(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    const std::size_t n = v.size();
    return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

}  // namespace

int main(int argc, char** argv) {
    int reps = 5;
    std::vector<int> blocks = {512, 64};
    std::vector<std::string> files;
    for (int i = 1; i < argc; ++i) {
        const std::string arg = argv[i];
        if (arg == "--reps" && i + 1 < argc) {
            reps = std::max(1, std::atoi(argv[++i]));
        } else if (arg == "--blocks" && i + 1 < argc) {
            blocks.clear();
            for (const char* p = argv[++i]; *p != '\0';) {
                blocks.push_back(std::max(1, std::atoi(p)));
                while (*p != '\0' && *p != ',') ++p;
                if (*p == ',') ++p;
            }
        } else {
            files.push_back(arg);
        }
    }
    if (files.empty() || blocks.empty()) {
        std::fprintf(stderr, "usage: bench_block_cost [--reps N] [--blocks 512,64] FILE.json...\n");
        return 2;
    }
    std::printf("%-36s %10s", "document", "audio s");
    for (const int block : blocks) std::printf(" %9s", ("cpu@" + std::to_string(block)).c_str());
    for (std::size_t b = 1; b < blocks.size(); ++b)
        std::printf(" %9s", (std::to_string(blocks[b]) + "/" + std::to_string(blocks[0])).c_str());
    std::printf("\n");
    for (const std::string& file : files) {
        tactus::LoadResult loaded = tactus::load_document_file(file);
        if (!loaded.document) {
            std::fprintf(stderr, "%s: %s\n", file.c_str(), loaded.errors.at(0).to_string().c_str());
            return 1;
        }
        // A first round checks the samples (and warms up); the measured rounds follow, interleaved.
        Run first;
        for (std::size_t b = 0; b < blocks.size(); ++b) {
            const Run run = render(*loaded.document, blocks[b], true);
            if (b == 0) first = run;
            if (run.checksum != first.checksum || run.frames != first.frames) {
                std::fprintf(stderr, "%s: block %d renders other samples than block %d\n", file.c_str(),
                             blocks[b], blocks[0]);
                return 1;
            }
        }
        std::vector<std::vector<double>> cpu(blocks.size());
        for (int r = 0; r < reps; ++r)
            for (std::size_t b = 0; b < blocks.size(); ++b)
                cpu[b].push_back(render(*loaded.document, blocks[b], false).cpu_seconds);
        const std::string name = file.size() > 36 ? file.substr(file.size() - 36) : file;
        std::printf("%-36s %10.1f", name.c_str(), static_cast<double>(first.frames) / 48000.0);
        for (const auto& c : cpu) std::printf(" %9.3f", median(c));
        for (std::size_t b = 1; b < blocks.size(); ++b)
            std::printf(" %+8.1f%%", 100.0 * (median(cpu[b]) / median(cpu[0]) - 1.0));
        std::printf("\n");
    }
    return 0;
}
