// The versioned JSON document format (docs/document-format.md): loading with validation that
// reports every problem by JSON path, and atomic saving.
// Plain functions over values; blocking file I/O: call from the editor/loader thread, never from
// the audio thread.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/score.h"

namespace tactus {

// The largest beat (note start and length, marker, controller or tempo point position) a document
// may use: even at the slowest tempo (TempoMap::kMinBpm) and a 768 kHz rate, every frame fits
// comfortably in an int64. 1e6 beats is almost six days at 120 bpm.
inline constexpr double kMaxDocumentBeat = 1'000'000.0;
// A document stops collecting problems after this many (and says so in one more error).
inline constexpr std::size_t kMaxLoadErrors = 100;

struct LoadError {
    std::string file;       // as given by the caller, e.g. "songs/demo.json" (or "<inline>")
    std::string json_path;  // JSON Pointer, e.g. "/tracks/2/notes/5/length"; "" for whole-file problems
    std::string message;    // e.g. "must be >= 0 (got -1)"
    int line = 0;           // 1-based position of a problem found while parsing the JSON text; 0 otherwise
    int column = 0;         // 1-based, in characters (UTF-8 code points) within the line

    // "songs/demo.json: /tracks/2/notes/5/length: must be >= 0 (got -1)";
    // "songs/demo.json:3:14: invalid JSON: ..." when the text itself is at fault (the form editors
    // jump to), with the path after the position when it is known.
    std::string to_string() const;
};

struct LoadResult {
    std::optional<Document> document;   // set only when errors is empty
    std::vector<LoadError> errors;      // every problem found (at most kMaxLoadErrors, then one saying so)
    std::vector<std::string> warnings;  // loaded, but something was approximated (MIDI files)
};

// Reads and parses a file: a JSON document, or a Standard MIDI File (recognised by its "MThd"
// header) converted as core/midi_convert.h says. A missing or unreadable file gives one error naming
// the path and strerror.
// Whether error messages may quote the text they refuse. A server answering a network client withholds
// it: the client names a file but must not learn what it holds (a token file's line, say); messages
// then give a value's kind and place only ("must be an integer (got a string)", line and column).
enum class ContentInErrors { Quoted, Withheld };

LoadResult load_document_file(const std::string& path, ContentInErrors content = ContentInErrors::Quoted);
// The same for a file's contents already read (`path` names it in messages and gives a MIDI file's title).
LoadResult load_document_bytes(const std::string& text, const std::string& path,
                               ContentInErrors content = ContentInErrors::Quoted);
// Parses a document of any format version up to kDocumentFormatVersion; `source_name` fills LoadError::file.
LoadResult parse_document(std::string_view json_text, const std::string& source_name,
                          ContentInErrors content = ContentInErrors::Quoted);

// parse_document with a large text's notes parsed on `threads` threads, in pieces of about
// `piece_bytes` (parse_document does so on every core from 8 MiB of text, in 1 MiB pieces). The result
// is the one-thread parse's, errors and their order included: tests and the fuzzer compare them.
LoadResult parse_document_on_threads(std::string_view json_text, const std::string& source_name,
                                     ContentInErrors content, int threads, std::size_t piece_bytes);

// The document as JSON of the current format version (every field written, defaults included).
nlohmann::json document_to_json(const Document& doc);
// The document as the text a file holds: fields in schema order, one note/point/event per line,
// 2-space indentation, ends with a newline. Doubles round-trip exactly.
std::string document_to_string(const Document& doc);
// Writes document_to_string(doc) to `path` atomically (core/atomic_file.h). On failure returns false,
// leaves any existing file untouched and stores a message naming the path and strerror in `error`.
bool save_document_file(const Document& doc, const std::string& path, std::string* error);

namespace detail {
// The JSON path a TempoMap::from_points message points at ("tempo point 2: bpm ..." -> "/tempo/2/bpm").
// Exposed for tests.
std::string tempo_error_path(std::string_view from_points_message);
// How many documents parse_document_on_threads (or parse_document) read on several threads rather
// than falling back to one. Exposed for tests.
std::uint64_t documents_parsed_on_threads();
}  // namespace detail

}  // namespace tactus
