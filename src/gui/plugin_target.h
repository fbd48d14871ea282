// Which plugin a parameter editor works on: a track's LV2 instrument, or one insert of a chain. Reads
// the plugin's URI and values from the document mirror and sets a control live the way its kind is
// set (/track/parameter for an instrument, /track|bus|master/insert/parameter for an insert).
#pragma once

#include <QString>
#include <cstddef>
#include <map>
#include <string>

#include "gui/insert_chain.h"

namespace tactus::gui {

class SongModel;

struct PluginTarget {
    bool instrument = false;  // the LV2 instrument of track chain.id; else insert `insert` of `chain`
    ChainRef chain;
    std::size_t insert = 0;

    static PluginTarget trackInstrument(TrackId id) { return {true, {InsertOwner::Track, id}, 0}; }
    static PluginTarget insertOf(const ChainRef& chain, std::size_t index) { return {false, chain, index}; }

    // The plugin there now ("" when there is none: the track plays something else, the insert is gone).
    QString uri(const SongModel& song) const;
    // The values the document holds for it (the others are the plugin's defaults).
    const std::map<std::string, double>* values(const SongModel& song) const;
    // Sets one control live (kept in the document, sent to the engine).
    void set(SongModel& song, const std::string& symbol, double value) const;
    // "Track 2 instrument", "Bus Hall insert 1", "Master insert 2".
    QString describe(const SongModel& song) const;
};

}  // namespace tactus::gui
