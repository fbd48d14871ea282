// The files a document names (a Csound track's orchestra, a SoundFont track's font) and where they are: a
// relative name is relative to the document file's own directory, so a song and its orchestras move together.
// Whoever loads a document from a file resolves its names once (the CLI, tactusd's /load and --load);
// the engine's factory then opens them as given (docs/document-format.md, "Files a document names").
// Plain functions over values (no file-system access); any thread but the audio thread (allocates).
#pragma once

#include <string>

#include "core/score.h"

namespace tactus {

// The directory of the document file `document_path` ("songs/a.json" -> "songs", "a.json" -> ".").
std::string document_directory(const std::string& document_path);

// `name` unchanged when absolute, else `dir`/`name`, lexically normal ("songs/../orc/a.orc" ->
// "orc/a.orc"). An empty name stays empty.
std::string resolve_document_file(const std::string& name, const std::string& dir);

// Every track's orchestra and font resolved against `dir` (the document's directory).
void resolve_document_files(Document& doc, const std::string& dir);

}  // namespace tactus
