// Writes the seed corpus of the OSC fuzz targets: one valid message per address of docs/protocol.md
// (serialised by liblo's lo_message_serialise, as clients send them), a few variants with optional
// arguments, and bundles (immediate, timestamped, nested). The files are committed under
// fuzz/corpus/osc_dispatch/; run this again when the protocol changes:
//
//   ./build-fuzz/fuzz/tactus_fuzz_corpus fuzz/corpus/osc_dispatch
//
// Track ids 1 and 2 exist in the dispatch harness's baseline document; "examples/demo.json" is a
// path relative to the repository root, where `make fuzz-ci` runs the fuzzer.
#include <lo/lo.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <string>
#include <vector>

namespace {

namespace fs = std::filesystem;
using Bytes = std::vector<std::uint8_t>;

Bytes serialise(const std::string& address, const std::function<void(lo_message)>& add) {
    lo_message m = lo_message_new();
    add(m);
    std::size_t size = 0;
    void* data = lo_message_serialise(m, address.c_str(), nullptr, &size);
    Bytes bytes(static_cast<std::uint8_t*>(data), static_cast<std::uint8_t*>(data) + size);
    std::free(data);
    lo_message_free(m);
    return bytes;
}

struct Element {
    std::string address;
    std::function<void(lo_message)> add;
};

Bytes bundle(lo_timetag when, const std::vector<Element>& elements) {
    lo_bundle b = lo_bundle_new(when);
    std::vector<lo_message> messages;
    for (const Element& e : elements) {
        lo_message m = lo_message_new();
        e.add(m);
        lo_bundle_add_message(b, e.address.c_str(), m);
        messages.push_back(m);
    }
    std::size_t size = 0;
    void* data = lo_bundle_serialise(b, nullptr, &size);
    Bytes bytes(static_cast<std::uint8_t*>(data), static_cast<std::uint8_t*>(data) + size);
    std::free(data);
    lo_bundle_free(b);  // does not free the messages
    for (lo_message m : messages) lo_message_free(m);
    return bytes;
}

// An OSC bundle holding `inner` (already serialised) as its one element, built by hand since liblo
// 0.31 has no public call for nesting.
Bytes nest(std::uint64_t timetag, const Bytes& inner) {
    Bytes out = {'#', 'b', 'u', 'n', 'd', 'l', 'e', 0};
    for (int shift = 56; shift >= 0; shift -= 8) out.push_back(static_cast<std::uint8_t>(timetag >> shift));
    const auto size = static_cast<std::uint32_t>(inner.size());
    for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<std::uint8_t>(size >> shift));
    out.insert(out.end(), inner.begin(), inner.end());
    return out;
}

constexpr const char* kInlineDocument =
    R"({"format": "tactus", "version": 1, "tempo": [{"beat": 0, "bpm": 100}], "tracks": [{"id": 1, "name": "A", )"
    R"("instrument": "synth", "preset": "sine", "notes": [{"id": 1, "start": 0, "length": 1, "pitch": 60, )"
    R"("velocity": 100}]}]})";

}  // namespace

int main(int argc, char** argv) {
    if (argc != 2) {
        std::fprintf(stderr, "usage: %s OUTPUT_DIR\n", argv[0]);
        return 2;
    }
    const fs::path dir = argv[1];
    fs::create_directories(dir);
    int written = 0;
    auto write = [&](const std::string& name, const Bytes& bytes) {
        std::ofstream(dir / (name + ".osc"), std::ios::binary)
            .write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
        ++written;
    };
    auto message = [&](
                       const std::string& name, const std::string& address,
                       const std::function<void(lo_message)>& add = [](lo_message) {}) {
        write(name, serialise(address, add));
    };

    // Documents
    message("load", "/load", [](lo_message m) { lo_message_add_string(m, "examples/demo.json"); });
    message("load_revision", "/load", [](lo_message m) {
        lo_message_add_string(m, "examples/demo.json");
        lo_message_add_int64(m, 7);
    });
    message("load_json", "/load/json", [](lo_message m) { lo_message_add_string(m, kInlineDocument); });
    message("load_json_revision", "/load/json", [](lo_message m) {
        lo_message_add_string(m, kInlineDocument);
        lo_message_add_int64(m, 3);
    });
    // Transport
    message("play", "/play");
    message("play_beat", "/play", [](lo_message m) { lo_message_add_double(m, 16.0); });
    message("stop", "/stop");
    message("pause", "/pause");
    message("locate_beat", "/locate/beat", [](lo_message m) { lo_message_add_double(m, 4.5); });
    message("locate_seconds", "/locate/seconds", [](lo_message m) { lo_message_add_double(m, 2.25); });
    message("loop", "/loop", [](lo_message m) {
        lo_message_add_int32(m, 1);
        lo_message_add_double(m, 8.0);
        lo_message_add_double(m, 16.0);
    });
    message("loop_off", "/loop", [](lo_message m) { lo_message_add_int32(m, 0); });
    message("tempo_scale", "/tempo/scale", [](lo_message m) { lo_message_add_double(m, 1.5); });
    message("metronome", "/metronome", [](lo_message m) { lo_message_add_int32(m, 1); });
    message("countin", "/countin", [](lo_message m) { lo_message_add_int32(m, 2); });
    // Notes
    message("note_on", "/note/on", [](lo_message m) {
        lo_message_add_int32(m, 1);
        lo_message_add_int32(m, 60);
        lo_message_add_int32(m, 100);
    });
    message("note_on_cents", "/note/on", [](lo_message m) {
        lo_message_add_int32(m, 2);
        lo_message_add_int32(m, 48);
        lo_message_add_int32(m, 90);
        lo_message_add_double(m, -25.0);
    });
    message("note_off", "/note/off", [](lo_message m) {
        lo_message_add_int32(m, 1);
        lo_message_add_int32(m, 60);
    });
    message("panic", "/panic");
    // Mixer
    message("track_level", "/track/level", [](lo_message m) {
        lo_message_add_int32(m, 2);
        lo_message_add_double(m, 0.5);
    });
    message("track_pan", "/track/pan", [](lo_message m) {
        lo_message_add_int32(m, 1);
        lo_message_add_float(m, -0.25f);
    });
    message("track_mute", "/track/mute", [](lo_message m) {
        lo_message_add_int32(m, 1);
        lo_message_add_true(m);
    });
    message("track_solo", "/track/solo", [](lo_message m) {
        lo_message_add_int32(m, 2);
        lo_message_add_int32(m, 1);
    });
    message("master_level", "/master/level", [](lo_message m) { lo_message_add_double(m, 0.8); });
    // Information and reports
    message("instruments", "/instruments");
    message("status", "/status");
    message("ping", "/ping");
    message("subscribe", "/subscribe", [](lo_message m) { lo_message_add_double(m, 60.0); });
    message("subscribe_host", "/subscribe", [](lo_message m) {
        lo_message_add_double(m, 30.0);
        lo_message_add_string(m, "127.0.0.1");
        lo_message_add_int32(m, 9);
    });
    message("unsubscribe", "/unsubscribe");
    message("unsubscribe_host", "/unsubscribe", [](lo_message m) {
        lo_message_add_string(m, "127.0.0.1");
        lo_message_add_int32(m, 9);
    });
    message("quit", "/quit");
    // Editing (notes 1 and 2 are on track 1 of the baseline)
    const auto h = [](lo_message m, std::int64_t v) { lo_message_add_int64(m, v); };
    const auto d = [](lo_message m, double v) { lo_message_add_double(m, v); };
    const auto i = [](lo_message m, std::int32_t v) { lo_message_add_int32(m, v); };
    const auto s = [](lo_message m, const char* v) { lo_message_add_string(m, v); };
    message("note_add", "/note/add",
            [&](lo_message m) { h(m, 1), h(m, 50), d(m, 3.0), d(m, 1.0), i(m, 67), i(m, 100); });
    message("note_move", "/note/move", [&](lo_message m) { h(m, 1), d(m, 4.0), h(m, 2), d(m, 5.0); });
    message("note_track", "/note/track", [&](lo_message m) { h(m, 2), h(m, 2); });
    message("note_resize", "/note/resize", [&](lo_message m) { h(m, 1), d(m, 2.5); });
    message("note_delete", "/note/delete", [&](lo_message m) { h(m, 1), h(m, 2); });
    message("note_pitch", "/note/pitch", [&](lo_message m) { h(m, 2), i(m, 61), d(m, 12.5); });
    message("note_velocity", "/note/velocity", [&](lo_message m) { h(m, 2), i(m, 30); });
    message("note_audition", "/note/audition", [&](lo_message m) { h(m, 1); });
    message("track_add", "/track/add",
            [&](lo_message m) { h(m, 9), s(m, "New"), s(m, "synth"), s(m, "pad"), i(m, 0); });
    message("track_add_whole", "/track/add", [&](lo_message m) {
        h(m, 10), s(m, "Keys"), s(m, "synth"), s(m, "pluck"), i(m, 1), i(m, 3), d(m, 0.5), d(m, -0.25),
            i(m, 1), i(m, 0);
    });
    message("track_controllers", "/track/controllers", [&](lo_message m) {
        h(m, 1), d(m, 1.0), s(m, "cc"), i(m, 64), d(m, 127.0), d(m, 2.0), s(m, "pitch_bend"), i(m, 0),
            d(m, -0.5), d(m, 3.0), s(m, "program"), i(m, 5), d(m, 0.0);
    });
    message("automation_set", "/automation/set", [&](lo_message m) {
        s(m, "track"), h(m, 1), s(m, "level"), d(m, 0.0), d(m, 1.0), s(m, "smooth"), d(m, 4.0), d(m, 0.5),
            s(m, "hold");
    });
    message("time_shift", "/time/shift", [&](lo_message m) { d(m, 4.0), d(m, 8.0), i(m, 1), i(m, 2); });
    message("track_remove", "/track/remove", [&](lo_message m) { h(m, 2); });
    message("track_rename", "/track/rename", [&](lo_message m) { h(m, 1), s(m, "Melody"); });
    message("track_move", "/track/move", [&](lo_message m) { h(m, 1), i(m, 1); });
    message("track_instrument", "/track/instrument",
            [&](lo_message m) { h(m, 1), s(m, "synth"), s(m, "saw"); });
    message("track_plugin", "/track/plugin", [&](lo_message m) {
        h(m, 1), s(m, "http://drobilla.net/plugins/mda/EPiano"), s(m, "treble_boost"), d(m, 0.7);
    });
    message("track_inserts", "/track/inserts", [&](lo_message m) {
        h(m, 1), s(m, "http://plugin.org.uk/swh-plugins/amp"), i(m, 0), i(m, 1), s(m, "gain"), d(m, -6.0),
            s(m, "http://drobilla.net/plugins/mda/Overdrive"), i(m, 1), i(m, 0);
    });
    message("plugins", "/plugins", [&](lo_message m) { s(m, "Instrument"); });
    message("plugin_controls", "/plugin/controls",
            [&](lo_message m) { s(m, "http://drobilla.net/plugins/mda/EPiano"); });
    message("tempo_set", "/tempo/set",
            [&](lo_message m) { d(m, 0), d(m, 90), i(m, 1), d(m, 8), d(m, 140), i(m, 0); });
    message("meter_set", "/meter/set",
            [&](lo_message m) { i(m, 0), i(m, 6), i(m, 8), i(m, 4), i(m, 4), i(m, 4); });
    message("edits_subscribe", "/edits/subscribe");
    message("edits_unsubscribe", "/edits/unsubscribe");
    message("edits_since", "/edits/since", [&](lo_message m) { h(m, 0); });
    message("document", "/document");
    message("document_path", "/document", [](lo_message m) { lo_message_add_string(m, "saved.json"); });
    message("load_escape", "/load", [](lo_message m) { lo_message_add_string(m, "../../etc/passwd"); });
    write("auth_then_load",
          bundle(lo_timetag{0u, 1u},
                 {{"/auth", [](lo_message m) { lo_message_add_string(m, "fuzz-token-0123456789"); }},
                  {"/load", [](lo_message m) { lo_message_add_string(m, "examples/demo.json"); }}}));
    write("auth_wrong_then_quit",
          bundle(lo_timetag{0u, 1u}, {{"/auth", [](lo_message m) { lo_message_add_string(m, "guess"); }},
                                      {"/quit", [](lo_message) {}}}));
    message("midi_input", "/midi/input", [&](lo_message m) { i(m, 2); });
    message("midi_clock", "/midi/clock", [&](lo_message m) { i(m, 1); });
    message("record", "/record", [&](lo_message m) { i(m, 1), i(m, 1), d(m, 0.25), d(m, 0.0), d(m, 8.0); });
    write(
        "bundle_edit_batch",
        bundle(lo_timetag{0u, 1u}, {{"/note/delete", [](lo_message m) { lo_message_add_int64(m, 1); }},
                                    {"/note/add",
                                     [](lo_message m) {
                                         lo_message_add_int64(m, 1), lo_message_add_int64(m, 51);
                                         lo_message_add_double(m, 1.0), lo_message_add_double(m, 0.5);
                                         lo_message_add_int32(m, 72), lo_message_add_int32(m, 90);
                                     }},
                                    {"/note/audition", [](lo_message m) { lo_message_add_int64(m, 51); }}}));

    // Bundles: immediate, timestamped (2036-era 1 and the usual era 0), nested.
    const std::vector<Element> chord = {
        {"/note/on",
         [](lo_message m) {
             lo_message_add_int32(m, 1);
             lo_message_add_int32(m, 60);
         }},
        {"/note/on",
         [](lo_message m) {
             lo_message_add_int32(m, 1);
             lo_message_add_int32(m, 64);
         }},
        {"/track/level",
         [](lo_message m) {
             lo_message_add_int32(m, 1);
             lo_message_add_double(m, 0.7);
         }},
    };
    write("bundle_immediate", bundle(lo_timetag{0u, 1u}, chord));
    write("bundle_timestamped", bundle(lo_timetag{0xE8000000u, 0x80000000u},
                                       {{"/play", [](lo_message m) { lo_message_add_double(m, 0.0); }},
                                        {"/metronome", [](lo_message m) { lo_message_add_int32(m, 1); }}}));
    write("bundle_nested", nest(1, bundle(lo_timetag{0x00000010u, 0u}, {{"/note/off",
                                                                         [](lo_message m) {
                                                                             lo_message_add_int32(m, 1);
                                                                             lo_message_add_int32(m, 60);
                                                                         }},
                                                                        {"/status", [](lo_message) {}}})));
    // Found by osc_packet_fuzz: a zero-length blob parses, but liblo's lo_blob_new cannot make one (so
    // written by hand). /load/json must refuse it as "not a string".
    write("regression_empty_blob",
          {'/', 'l', 'o', 'a', 'd', '/', 'j', 's', 'o', 'n', 0, 0, ',', 'b', 0, 0, 0, 0, 0, 0});
    std::printf("wrote %d seed inputs to %s\n", written, dir.c_str());
    return 0;
}
