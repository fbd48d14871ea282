// The process's one view of the installed LV2 plugins (lilv), and the URID map every plugin shares.
//
// Threading: lilv's world is not thread-safe, so every call into it holds lock(); never from the audio
// thread. The URID map and unmap are called by plugins while they are instantiated (off the audio
// thread); a plugin that maps in run() takes map_mutex_ there, which the realtime checker reports.
// The URIDs in urids() are mapped once at start-up and read-only after.
#pragma once

#include <lilv/lilv.h>
#include <lv2/urid/urid.h>

#include <cstdint>
#include <deque>
#include <mutex>
#include <string>
#include <unordered_map>

namespace tactus::lv2 {

// URIDs the host writes or reads in atom buffers and options.
struct Urids {
    LV2_URID atom_Sequence = 0;
    LV2_URID atom_Chunk = 0;
    LV2_URID atom_Float = 0;
    LV2_URID atom_Int = 0;
    LV2_URID atom_FrameTime = 0;
    LV2_URID midi_MidiEvent = 0;
    LV2_URID param_sampleRate = 0;
    LV2_URID bufsz_minBlockLength = 0;
    LV2_URID bufsz_maxBlockLength = 0;
    LV2_URID bufsz_nominalBlockLength = 0;
    LV2_URID bufsz_sequenceSize = 0;
};

class World {
public:
    // Loads every bundle on LV2_PATH (Debian: /usr/lib/lv2 and ~/.lv2) on first use.
    static World& shared();

    // Held around every lilv call (lilv's world is one shared structure).
    std::unique_lock<std::mutex> lock() { return std::unique_lock(lilv_mutex_); }
    LilvWorld* lilv() { return world_; }
    // Caller holds lock(). nullptr when not installed.
    const LilvPlugin* plugin(const std::string& uri);

    LV2_URID map(const char* uri);
    const char* unmap(LV2_URID urid);
    LV2_URID_Map* map_feature() { return &map_; }
    LV2_URID_Unmap* unmap_feature() { return &unmap_; }
    const Urids& urids() const { return urids_; }

    // Nodes for the classes and properties the catalogue and instances test (owned by the world).
    struct Nodes {
        LilvNode* audio_port;
        LilvNode* control_port;
        LilvNode* cv_port;
        LilvNode* atom_port;
        LilvNode* input_port;
        LilvNode* output_port;
        LilvNode* midi_event;
        LilvNode* instrument_class;
        LilvNode* connection_optional;
        LilvNode* integer;
        LilvNode* toggled;
        LilvNode* enumeration;
        LilvNode* logarithmic;
        LilvNode* sample_rate;
        LilvNode* units_unit;
        LilvNode* units_symbol;
        LilvNode* rsz_minimum_size;
        LilvNode* reports_latency;
    };
    const Nodes& nodes() const { return nodes_; }

private:
    World();
    ~World();

    std::mutex lilv_mutex_;
    LilvWorld* world_ = nullptr;
    Nodes nodes_{};

    std::mutex map_mutex_;
    std::unordered_map<std::string, LV2_URID> ids_;
    std::deque<std::string> uris_;  // uris_[id - 1]; a deque: unmap()'s strings never move
    LV2_URID_Map map_{};
    LV2_URID_Unmap unmap_{};
    Urids urids_;
};

}  // namespace tactus::lv2
