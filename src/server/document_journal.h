// The engine's journal of the loaded document (docs/architecture.md, "The edit journal"): which
// document file the loaded document continues, the journal beside that file, and the calls the
// control server makes when a batch or a mixer change is accepted, a document is loaded or saved.
//
// A journal always starts from the file as it is on disk (its base: digest and revision). When the
// loaded document is not what the file holds (recovered edits, a GUI's unsaved work), the journal's
// first record is the whole document, so replaying it gives exactly what the engine has.
//
// Threading: the control thread only. Nothing here waits for a disk: records go to JournalWriter's
// queue; only begin() and recover() hash files and compare documents (as a load or a save reads
// them), and
// recover() of the file whose journal was just ended waits for that journal's last records.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/score.h"
#include "server/journal_writer.h"

namespace tactus {

class DocumentJournal {
public:
    explicit DocumentJournal(std::size_t max_queued_bytes = JournalWriter::kDefaultMaxQueuedBytes)
        : writer_(max_queued_bytes) {}

    // /load PATH (`path` resolved): `doc` holds what the file holds; when the journal beside it was
    // written for exactly that, `doc` becomes the state it recovers. Returns the number of edit
    // batches recovered; *note says what was found when nothing was replayed, or where replay
    // stopped ("" when nothing worth a log line). The journal being written now is never read: a
    // load of the document being journaled is a revert to the file.
    std::size_t recover(const std::string& path, std::string_view file_bytes, Document& doc,
                        std::string* note);

    // The loaded document, `current`, continues the file at `path` holding `file_bytes`, whose
    // document is `file_doc` (`same`: current is known to equal it, no comparison needed). Starts a
    // fresh journal there.
    // `supersedes`: the previous journal's content lives on in this one (a save, /journal PATH), so
    // it is removed; otherwise it is kept when it holds edits (they belong to its own file).
    void begin(const std::string& path, std::string_view file_bytes, const Document& file_doc,
               const Document& current, bool same, bool supersedes);
    // One accepted edit batch (its /edited bundle) or mixer change (its normal-form message).
    void record(const std::vector<std::uint8_t>& packet);
    // Stops journaling (a document with no file was loaded, or a client ended it); the journal is
    // removed when `remove` (its edits were saved or discarded) or when it holds none.
    void end(bool remove) {
        writer_.end(remove);
        document_path_.clear();
    }

    const std::string& document_path() const { return document_path_; }  // "" when not journaling
    JournalWriter& writer() { return writer_; }

private:
    JournalWriter writer_;
    std::string document_path_;
    std::string last_journal_;  // the journal begun last (maybe ended since)
};

}  // namespace tactus
