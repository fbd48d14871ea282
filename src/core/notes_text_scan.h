// Where a document's text holds its tracks' notes, so that they can be parsed on several threads
// (document_json.cpp): the elements of each /tracks/<i>/notes array, cut into pieces of whole
// elements, and the rest of the text with those arrays emptied (the skeleton).
//
// The scan follows strings, escapes and nesting only; it does not validate. On valid JSON its pieces
// and skeleton hold exactly the text's values; on anything else the parsers that read them fail, and
// the caller parses the whole text on one thread instead. A key spelled with escapes is not
// recognised: its array then stays in the skeleton, where the parser reads it as it would anyway.
//
// Pure function: safe on any thread.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace tactus {

struct NotesTextPiece {
    std::size_t track = 0;  // index in the root's "tracks"
    std::size_t begin = 0;  // the text [begin, end): whole elements separated by commas
    std::size_t end = 0;
};

struct NotesTextLayout {
    std::vector<NotesTextPiece> pieces;  // in text order
    std::string skeleton;                // the text with every piece's elements left out ("notes": [])
};

// Pieces of at least `piece_bytes` bytes (the last of an array may be shorter). nullopt when the
// text's nesting does not close, or when "tracks" holds anything but objects.
std::optional<NotesTextLayout> scan_notes_text(std::string_view text, std::size_t piece_bytes);

}  // namespace tactus
