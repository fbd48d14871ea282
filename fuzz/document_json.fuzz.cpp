// libFuzzer target for the document reader (core/document_json.h), which reads every track's notes
// while it parses instead of building their JSON tree. Oracles:
//  - a refused text gives problems, each with "" or a JSON Pointer for its place, and never more
//    than the limit and the line saying so;
//  - an accepted document saves to text that reads back equal (the writer and reader agree);
//  - the notes read while parsing are the notes in nlohmann's own tree of the same text, track by
//    track and element by element (id, start, length, pitch): none lost, moved or made up;
//  - the notes parsed on threads, in pieces of a few bytes (parse_document_on_threads), give what one
//    thread gives: the same document, or the same problems in the same order.
#include "core/document_json.h"

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

namespace {

[[noreturn]] void die(const std::string& what) {
    std::fprintf(stderr, "document_json_fuzz: %s\n", what.c_str());
    std::abort();
}

void check_notes_against_the_tree(std::string_view text, const tactus::Document& doc) {
    const nlohmann::json tree = nlohmann::json::parse(text, nullptr, false);
    if (tree.is_discarded()) die("nlohmann refuses a document Tactus accepted");
    const auto tracks = tree.find("tracks");
    if (tracks == tree.end()) {
        if (!doc.tracks.empty()) die("tracks without a tracks member");
        return;
    }
    if (tracks->size() != doc.tracks.size()) die("a different number of tracks");
    for (std::size_t t = 0; t < doc.tracks.size(); ++t) {
        const auto notes = (*tracks)[t].find("notes");
        const std::size_t expected = notes == (*tracks)[t].end() ? 0 : notes->size();
        if (doc.tracks[t].notes.size() != expected)
            die("track " + std::to_string(t) + ": notes lost or made up");
        for (std::size_t n = 0; n < expected; ++n) {
            const nlohmann::json& in = (*notes)[n];
            const tactus::Note& read = doc.tracks[t].notes[n];
            if (in.at("id").get<double>() != double(read.id) || in.at("start").get<double>() != read.start ||
                in.at("length").get<double>() != read.length || in.at("pitch").get<double>() != read.pitch)
                die("track " + std::to_string(t) + ", note " + std::to_string(n) + " is not the one written");
        }
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace tactus;
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    const LoadResult result = parse_document(text, "fuzz.json");
    const LoadResult threaded = parse_document_on_threads(text, "fuzz.json", ContentInErrors::Quoted, 2, 8);
    if (threaded.document.has_value() != result.document.has_value())
        die("the threaded parse and the one-thread parse disagree on whether the text is a document");
    if (result.document && !(*threaded.document == *result.document))
        die("the threaded parse read another document");
    if (!result.document) {
        if (threaded.errors.size() != result.errors.size()) die("the threaded parse found other problems");
        for (std::size_t i = 0; i < result.errors.size(); ++i)
            if (threaded.errors[i].to_string() != result.errors[i].to_string())
                die("the threaded parse reported: " + threaded.errors[i].to_string());
    }
    if (!result.document) {
        if (result.errors.empty()) die("refused without a problem");
        if (result.errors.size() > kMaxLoadErrors + 1) die("more problems than the limit");
        for (const LoadError& e : result.errors)
            if (!e.json_path.empty() && e.json_path[0] != '/')
                die("a problem's place is no JSON Pointer: " + e.json_path);
        return 0;
    }
    const LoadResult again = parse_document(document_to_string(*result.document), "saved.json");
    if (!again.document) die("the writer wrote what the reader refuses: " + again.errors.front().to_string());
    if (!(*again.document == *result.document)) die("a save and load changed the document");
    check_notes_against_the_tree(text, *result.document);
    return 0;
}
