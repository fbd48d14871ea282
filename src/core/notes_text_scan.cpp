#include "core/notes_text_scan.h"

#include <array>
#include <cstring>

namespace tactus {

namespace {

// The bytes that change the scan's state; everything else (numbers, literals, spaces, colons) is
// skipped a byte at a time without a branch per kind.
constexpr std::array<bool, 256> structural_bytes() {
    std::array<bool, 256> table{};
    for (const unsigned char c : {'"', '{', '}', '[', ']', ','}) table[c] = true;
    return table;
}
constexpr std::array<bool, 256> kStructural = structural_bytes();

bool is_space(char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

struct Level {
    bool array = false;
    bool expect_key = false;   // objects: the next string is a key
    bool notes = false;        // the "notes" array of an element of the root's "tracks"
    std::string_view key;      // objects: the last key read (as written)
    std::size_t elements = 0;  // arrays: values started
};

// The index just past the closing quote of the string opening at `open`, or npos.
std::size_t string_end(std::string_view text, std::size_t open) {
    std::size_t at = open + 1;
    for (;;) {
        const void* quote = std::memchr(text.data() + at, '"', text.size() - at);
        if (quote == nullptr) return std::string_view::npos;
        const std::size_t q = static_cast<std::size_t>(static_cast<const char*>(quote) - text.data());
        std::size_t backslashes = 0;
        while (q - backslashes > open + 1 && text[q - backslashes - 1] == '\\') ++backslashes;
        if (backslashes % 2 == 0) return q + 1;
        at = q + 1;
    }
}

bool has_text(std::string_view text, std::size_t begin, std::size_t end) {
    for (std::size_t i = begin; i < end; ++i)
        if (!is_space(text[i])) return true;
    return false;
}

}  // namespace

std::optional<NotesTextLayout> scan_notes_text(std::string_view text, std::size_t piece_bytes) {
    NotesTextLayout layout;
    std::vector<Level> stack;
    std::size_t copied_to = 0;    // the skeleton holds text[0, copied_to) less the pieces
    std::size_t piece_begin = 0;  // in a notes array: where the current piece starts
    const auto in_tracks = [&] {
        return stack.size() == 2 && !stack[0].array && stack[0].key == "tracks" && stack[1].array;
    };
    std::size_t array_begin = 0;  // in a notes array: just past its '['
    // False for a piece without an element: a comma with nothing before or after it, which is no JSON
    // (and would vanish from the pieces). Only a whole array may be empty (`at_comma` false).
    const auto add_piece = [&](std::size_t end, bool at_comma) {
        if (!has_text(text, piece_begin, end)) return !at_comma && piece_begin == array_begin;
        layout.pieces.push_back({stack[1].elements - 1, piece_begin, end});
        return true;
    };
    std::size_t i = 0;
    while (i < text.size()) {
        const char c = text[i];
        if (!kStructural[static_cast<unsigned char>(c)]) {
            if (in_tracks() && !is_space(c)) return std::nullopt;  // a track that is not an object
            ++i;
            continue;
        }
        switch (c) {
            case '"': {
                if (in_tracks()) return std::nullopt;
                const std::size_t end = string_end(text, i);
                if (end == std::string_view::npos) return std::nullopt;
                if (!stack.empty() && !stack.back().array && stack.back().expect_key) {
                    stack.back().key = text.substr(i + 1, end - i - 2);
                    stack.back().expect_key = false;
                }
                if (!stack.empty() && stack.back().array) ++stack.back().elements;
                i = end;
                break;
            }
            case '{':
            case '[': {
                const bool array = c == '[';
                if (array && in_tracks()) return std::nullopt;
                const bool notes = array && stack.size() == 3 && !stack[0].array &&
                                   stack[0].key == "tracks" && stack[1].array && !stack[2].array &&
                                   stack[2].key == "notes";
                if (!stack.empty() && stack.back().array) ++stack.back().elements;
                stack.push_back(Level{array, !array, notes, {}, 0});
                ++i;
                if (notes) {
                    layout.skeleton.append(text.substr(copied_to, i - copied_to));  // up to the '['
                    piece_begin = array_begin = i;
                }
                break;
            }
            case '}':
            case ']': {
                if (stack.empty() || stack.back().array != (c == ']')) return std::nullopt;
                if (stack.back().notes) {
                    if (!add_piece(i, false)) return std::nullopt;
                    copied_to = i;  // the skeleton goes on from the ']'
                }
                stack.pop_back();
                ++i;
                break;
            }
            case ',': {
                if (!stack.empty()) {
                    Level& level = stack.back();
                    if (!level.array) level.expect_key = true;
                    if (level.notes && i - piece_begin >= piece_bytes) {
                        if (!add_piece(i, true)) return std::nullopt;
                        piece_begin = i + 1;
                    }
                }
                ++i;
                break;
            }
        }
    }
    if (!stack.empty()) return std::nullopt;
    layout.skeleton.append(text.substr(copied_to));
    return layout;
}

}  // namespace tactus
