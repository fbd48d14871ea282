// An insert chain as edits: whose chain (a track's, a bus's or the master's), and the batch that
// replaces it with a changed copy (/track/inserts, /bus/inserts, /master/inserts send the whole chain).
// Pure functions of the document, so the chain's commands are undone like any edit.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/score.h"
#include "core/score_edit.h"

namespace tactus::gui {

struct ChainRef {
    InsertOwner owner = InsertOwner::Track;
    std::uint64_t id = 0;  // the track's or bus's id; unused for the master
    friend bool operator==(const ChainRef&, const ChainRef&) = default;
};

// The edit that gives `chain` these inserts.
Edit replaceChain(const ChainRef& chain, std::vector<Insert> inserts);

// The chain changed by one command; nullopt when the command does not apply (an index out of range, a
// move past either end).
std::vector<Insert> withInsert(std::vector<Insert> chain, const std::string& uri);
std::optional<std::vector<Insert>> withoutInsert(std::vector<Insert> chain, std::size_t index);
std::optional<std::vector<Insert>> withInsertMoved(std::vector<Insert> chain, std::size_t from,
                                                   std::size_t to);
std::optional<std::vector<Insert>> withBypass(std::vector<Insert> chain, std::size_t index, bool bypass);

}  // namespace tactus::gui
