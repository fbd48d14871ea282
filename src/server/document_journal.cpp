#include "server/document_journal.h"

#include "core/document_editor.h"
#include "server/edit_journal.h"

namespace tactus {

std::size_t DocumentJournal::recover(const std::string& path, std::string_view file_bytes, Document& doc,
                                     std::string* note) {
    const std::string journal = journal_path_for(path);
    if (writer_.active() && writer_.path() == journal) {
        if (note) *note = "";
        return 0;
    }
    // The file of the document just left: its last records may still be on their way to the disk.
    if (journal == last_journal_) writer_.flush();
    auto found = recover_from_journal(path, file_bytes, doc, note);
    if (!found) return 0;
    doc = std::move(found->replay.document);
    if (note && found->torn && found->replay.stopped.empty())
        *note = "the journal's last record was torn (ignored)";
    return found->replay.batches;
}

void DocumentJournal::begin(const std::string& path, std::string_view file_bytes, const Document& file_doc,
                            const Document& current, bool same, bool supersedes) {
    JournalBytes first;
    if (!same && canonical_document(current) != canonical_document(file_doc))
        first = journal_record(journal_document_payload(current));
    last_journal_ = journal_path_for(path);
    writer_.start(last_journal_, journal_header(journal_base_of_file(file_bytes, file_doc.revision)),
                  std::move(first), supersedes);
    document_path_ = path;
}

void DocumentJournal::record(const std::vector<std::uint8_t>& packet) {
    if (document_path_.empty()) return;
    writer_.append(journal_record(packet));
}

}  // namespace tactus
