#include "gui/insert_chain.h"

#include <utility>

namespace tactus::gui {

Edit replaceChain(const ChainRef& chain, std::vector<Insert> inserts) {
    switch (chain.owner) {
        case InsertOwner::Bus:
            return edit::BusInserts{chain.id, std::move(inserts)};
        case InsertOwner::Master:
            return edit::MasterInserts{std::move(inserts)};
        case InsertOwner::Track:
            break;
    }
    return edit::TrackInserts{chain.id, std::move(inserts)};
}

std::vector<Insert> withInsert(std::vector<Insert> chain, const std::string& uri) {
    Insert insert;
    insert.plugin = uri;
    chain.push_back(std::move(insert));
    return chain;
}

std::optional<std::vector<Insert>> withoutInsert(std::vector<Insert> chain, std::size_t index) {
    if (index >= chain.size()) return std::nullopt;
    chain.erase(chain.begin() + std::ptrdiff_t(index));
    return chain;
}

std::optional<std::vector<Insert>> withInsertMoved(std::vector<Insert> chain, std::size_t from,
                                                   std::size_t to) {
    if (from >= chain.size() || to >= chain.size() || from == to) return std::nullopt;
    Insert moving = std::move(chain[from]);
    chain.erase(chain.begin() + std::ptrdiff_t(from));
    chain.insert(chain.begin() + std::ptrdiff_t(to), std::move(moving));
    return chain;
}

std::optional<std::vector<Insert>> withBypass(std::vector<Insert> chain, std::size_t index, bool bypass) {
    if (index >= chain.size() || chain[index].bypass == bypass) return std::nullopt;
    chain[index].bypass = bypass;
    return chain;
}

}  // namespace tactus::gui
