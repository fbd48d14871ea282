// What hosting an LV2 plugin in Tactus costs beside lilv's own lv2bench, in one run: for each plugin,
// the CPU time of 10 s of audio at 48 kHz through Tactus (an insert chain, or an instrument playing a
// chord, in 64-frame chunks, fed 256-frame render calls) and through `lv2bench -b 64` and `-b 512`
// (lilv's benchmark: one instance, its ports on zeros). Prints seconds per 10 s of audio and the DSP
// load at 48 kHz (time / 10 s).
//
//   bench_lv2_plugin_cost [URI...]   (default: a few mda and swh effects and instruments)
#include <sys/resource.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "engine/lv2/insert_chain.h"
#include "engine/lv2/lv2_instrument.h"
#include "engine/lv2/plugin_catalogue.h"

namespace {

constexpr double kRate = 48000.0;
constexpr int kFrames = 480000;  // 10 s
constexpr int kCall = 256;

double cpu_seconds() {
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    return double(usage.ru_utime.tv_sec) + double(usage.ru_utime.tv_usec) * 1e-6 +
           double(usage.ru_stime.tv_sec) + double(usage.ru_stime.tv_usec) * 1e-6;
}

double tactus_seconds(const tactus::lv2::PluginInfo& info, std::string* error) {
    std::vector<float> left(kCall), right(kCall);
    if (info.instrument) {
        auto instrument = tactus::Lv2Instrument::create(info.uri, kRate, 0, {}, error);
        if (!instrument) return -1;
        const double start = cpu_seconds();
        for (int done = 0, call = 0; done < kFrames; done += kCall, ++call) {
            if (call % 100 == 0)  // a four-note chord every 0.53 s, released before the next
                for (int k = 0; k < 4; ++k)
                    instrument->note_on(tactus::VoiceKey(call * 4 + k), 48 + 4 * k, 0, 100);
            if (call % 100 == 80)
                for (int k = 0; k < 4; ++k) instrument->note_off(tactus::VoiceKey((call - 80) * 4 + k));
            instrument->render(left.data(), right.data(), kCall);
        }
        return cpu_seconds() - start;
    }
    auto chain = tactus::InsertChain::create({tactus::Insert{info.uri, {}, false, {}}}, kRate, error);
    if (!chain) return -1;
    // A 220 Hz saw, not zeros (some plugins take shortcuts on silence), made before the clock starts.
    std::vector<float> signal(kCall * 8);
    for (std::size_t i = 0; i < signal.size(); ++i)
        signal[i] = float(0.3 * (std::fmod(220.0 * double(i) / kRate, 1.0) - 0.5));
    const double start = cpu_seconds();
    for (int done = 0, call = 0; done < kFrames; done += kCall, ++call) {
        const float* from = signal.data() + (call % 8) * kCall;
        std::copy_n(from, kCall, left.data());
        std::copy_n(from, kCall, right.data());
        chain->process(left.data(), right.data(), kCall);
    }
    return cpu_seconds() - start;
}

double lv2bench_seconds(const std::string& uri, int block) {
    const std::string command = "lv2bench -b " + std::to_string(block) + " -n " + std::to_string(kFrames) +
                                " '" + uri + "' 2>/dev/null";
    FILE* pipe = popen(command.c_str(), "r");
    if (!pipe) return -1;
    double seconds = -1;
    char line[1024];
    while (std::fgets(line, sizeof line, pipe))
        if (double s = 0; std::sscanf(line, "%lf", &s) == 1) seconds = s;
    pclose(pipe);
    return seconds;
}

}  // namespace

int main(int argc, char** argv) {
    std::vector<std::string> uris(argv + 1, argv + argc);
    if (uris.empty())
        uris = {"http://drobilla.net/plugins/mda/Overdrive", "http://drobilla.net/plugins/mda/Delay",
                "http://drobilla.net/plugins/mda/Ambience",  "http://plugin.org.uk/swh-plugins/sc4",
                "http://plugin.org.uk/swh-plugins/amp",      "http://drobilla.net/plugins/mda/EPiano",
                "http://drobilla.net/plugins/mda/JX10",      "http://drobilla.net/plugins/mda/DX10"};
    std::printf("%-45s %10s %10s %10s %8s %8s\n", "plugin", "tactus_s", "lv2b64_s", "lv2b512_s", "load_%",
                "ratio64");
    for (const std::string& uri : uris) {
        std::string error;
        const auto info = tactus::lv2::find_plugin(uri, &error);
        if (!info) {
            std::printf("%-45s %s\n", uri.c_str(), error.c_str());
            continue;
        }
        const double ours = tactus_seconds(*info, &error);
        if (ours < 0) {
            std::printf("%-45s %s\n", uri.c_str(), error.c_str());
            continue;
        }
        const double b64 = lv2bench_seconds(uri, 64), b512 = lv2bench_seconds(uri, 512);
        std::printf("%-45s %10.4f %10.4f %10.4f %8.3f %8.2f\n", uri.c_str(), ours, b64, b512,
                    100.0 * ours / (kFrames / kRate), b64 > 0 ? ours / b64 : 0.0);
    }
    std::printf(
        "tactus: 2 channels of a saw through an insert (mono plugins: two instances), or an instrument "
        "playing\n"
        "four-note chords; lv2bench: one instance, inputs on zeros, no notes (an instrument is silent).\n"
        "Seconds of CPU for 10 s of 48 kHz audio; load_%%: Tactus's share of one core.\n");
}
