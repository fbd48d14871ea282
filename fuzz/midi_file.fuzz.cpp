// libFuzzer target for the Standard MIDI File reader and the conversion to documents, with oracles:
//  - a file that fails to parse gives no file and an error that names a byte offset within the input;
//  - a file that parses converts to a valid document (the JSON reader accepts it), which exports back
//    to SMF, and that output must parse again with a tempo-map track plus one per document track;
//  - the parsed events, serialised and parsed again, are the same events (the writer and reader agree).
#include "core/midi_file.h"

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "core/document_json.h"
#include "core/midi_convert.h"

namespace {

[[noreturn]] void die(const std::string& what) {
    std::fprintf(stderr, "midi_file_fuzz: %s\n", what.c_str());
    std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace tactus;
    const MidiReadResult read = parse_midi({data, size});
    if (!read.file) {
        if (read.error.rfind("byte ", 0) != 0) die("an error without a byte offset: " + read.error);
        const std::size_t at = std::strtoull(read.error.c_str() + 5, nullptr, 10);
        if (at > size) die("an error offset past the input: " + read.error);
        return 0;
    }
    const MidiReadResult again = parse_midi(serialise_midi(*read.file));
    if (!again.file) die("the writer wrote what the reader refuses: " + again.error);
    if (again.file->tracks.size() != read.file->tracks.size()) die("a round trip changed the track count");
    for (std::size_t t = 0; t < read.file->tracks.size(); ++t)
        if (again.file->tracks[t].events != read.file->tracks[t].events)
            die("a round trip changed track events");

    const MidiImportResult imported = import_midi(*read.file);
    if (!imported.document) die("a parsed file did not convert: " + imported.error);
    // The document is one the JSON format accepts (a saved import loads back).
    const LoadResult reloaded = parse_document(document_to_string(*imported.document), "<import>");
    if (!reloaded.errors.empty())
        die("an imported document is not valid: " + reloaded.errors.front().to_string());
    const MidiReadResult exported = parse_midi(serialise_midi(export_midi(*imported.document).file));
    if (!exported.file) die("an exported document does not parse: " + exported.error);
    if (exported.file->tracks.size() != imported.document->tracks.size() + 1)
        die("an export has the wrong number of tracks");
    return 0;
}
