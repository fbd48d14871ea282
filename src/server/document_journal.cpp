#include "server/document_journal.h"

#include "server/edit_journal.h"

namespace tactus {

std::size_t DocumentJournal::recover(const std::string& path, Document& doc, std::string* note) {
    const std::string journal = journal_path_for(path);
    if (writer_.active() && writer_.path() == journal) {
        if (note) *note = "";
        return 0;
    }
    // The file of the document just left: its last records may still be on their way to the disk.
    if (journal == last_journal_) writer_.flush();
    auto found = recover_from_journal(path, doc, note);
    if (!found) return 0;
    doc = std::move(found->replay.document);
    if (note && found->torn && found->replay.stopped.empty())
        *note = "the journal's last record was torn (ignored)";
    return found->replay.batches;
}

void DocumentJournal::begin(const std::string& path, const Document& file_doc, const Document& current,
                            bool same, bool supersedes) {
    const std::string file_text = journal_canonical_text(file_doc);
    const JournalBase base = journal_base_of_text(file_text, file_doc.revision);
    JournalBytes first;
    if (!same) {
        std::string current_text = journal_canonical_text(current);
        if (current_text != file_text)
            first = journal_record(journal_document_payload(current, current_text));
    }
    last_journal_ = journal_path_for(path);
    writer_.start(last_journal_, journal_header(base), std::move(first), supersedes);
    document_path_ = path;
}

void DocumentJournal::record(const std::vector<std::uint8_t>& packet) {
    if (document_path_.empty()) return;
    writer_.append(journal_record(packet));
}

}  // namespace tactus
