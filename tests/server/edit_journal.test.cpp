// The edit journal's format, reader, replay and writer (server/edit_journal.h, journal_writer.h):
// what is written is read back and replays to the same document; a torn or corrupt last record is
// ignored and the records before it kept; a journal written for another document is never replayed;
// the writer's queue is bounded in bytes and, once a record does not fit, the journal keeps the prefix
// written so far (a state the document really had) until the next start.
#include "server/edit_journal.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "core/document_editor.h"
#include "core/document_json.h"
#include "server/edit_messages.h"
#include "server/journal_writer.h"
#include "server/osc_out.h"

namespace tactus {
namespace {

namespace fs = std::filesystem;

Document base_document() {
    Document doc;
    doc.title = "Journal test";
    doc.revision = 7;
    Track t;
    t.id = 1;
    t.name = "Lead";
    t.instrument = "synth";
    t.preset = "sine";
    doc.tracks.push_back(t);
    return doc;
}

edit::NoteAdd note_add(NoteId id, double start) {
    edit::NoteAdd add;
    add.track = 1;
    add.note.id = id;
    add.note.start = start;
    add.note.length = 0.5;
    add.note.pitch = 60 + int(id % 12);
    add.note.velocity = 100;
    return add;
}

class TempDir {
public:
    TempDir() {
        std::string pattern = (fs::temp_directory_path() / "tactus-journal-XXXXXX").string();
        path_ = ::mkdtemp(pattern.data());
    }
    ~TempDir() { fs::remove_all(path_); }
    const fs::path& path() const { return path_; }

private:
    fs::path path_;
};

// Applies `count` batches of one added note to `editor`, returning each batch's record payload.
std::vector<JournalBytes> add_notes(DocumentEditor& editor, int count) {
    std::vector<JournalBytes> payloads;
    for (int i = 0; i < count; ++i) {
        std::string error;
        EXPECT_TRUE(editor.apply({note_add(NoteId(100 + i), i * 0.5)}, nullptr, &error)) << error;
        payloads.push_back(edit_batch_bundle(*editor.last_batch()));
    }
    return payloads;
}

std::string read_all(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

TEST(EditJournal, lives_hidden_beside_its_document) {
    EXPECT_EQ(journal_path_for("/home/a/songs/demo.json"), "/home/a/songs/.demo.json.journal");
    EXPECT_EQ(journal_path_for("demo.json"), ".demo.json.journal");
}

TEST(EditJournal, what_the_writer_syncs_reads_back_and_replays_to_the_same_document) {
    TempDir dir;
    const Document base = base_document();
    DocumentEditor editor(base);
    const auto payloads = add_notes(editor, 50);
    editor.set_mix(1, MixChange{.level = 0.25});
    const JournalBytes mix = OscOut("/track/level").h(1).d(0.25).bytes();

    const std::string path = journal_path_for((dir.path() / "song.json").string());
    {
        JournalWriter writer;
        writer.start(path, journal_header(journal_base_of(base)), {}, false);
        for (const auto& p : payloads) EXPECT_TRUE(writer.append(journal_record(p)));
        EXPECT_TRUE(writer.append(journal_record(mix)));
        writer.flush();
        EXPECT_EQ(writer.stats().records_synced, 51u);
        EXPECT_EQ(writer.stats().queued_bytes, 0u);
        EXPECT_LE(writer.stats().syncs, 51u);
    }  // a journal with records stays when the writer ends
    std::string error;
    const auto contents = read_journal(path, &error);
    ASSERT_TRUE(contents) << error;
    EXPECT_EQ(contents->base, journal_base_of(base));
    EXPECT_EQ(contents->records.size(), 51u);
    EXPECT_FALSE(contents->torn());
    const JournalReplay replay = replay_journal(base, contents->records);
    EXPECT_EQ(replay.stopped, "");
    EXPECT_EQ(replay.batches, 50u);
    EXPECT_EQ(replay.mixer_changes, 1u);
    EXPECT_EQ(replay.document.revision, 57u);
    EXPECT_EQ(canonical_document(replay.document), canonical_document(editor.document()));
    EXPECT_EQ(replay.document.tracks[0].level, 0.25);
}

TEST(EditJournal, a_torn_or_corrupt_last_record_is_ignored_and_the_ones_before_it_kept) {
    const Document base = base_document();
    DocumentEditor editor(base);
    const auto payloads = add_notes(editor, 3);
    JournalBytes file = journal_header(journal_base_of(base));
    for (const auto& p : payloads) {
        const JournalBytes record = journal_record(p);
        file.insert(file.end(), record.begin(), record.end());
    }
    std::string error;
    // Cut anywhere inside the last record (its length, its CRC, its payload): two records remain.
    const std::size_t last = file.size() - journal_record(payloads[2]).size();
    for (std::size_t cut : {last + 2, last + 6, file.size() - 1}) {
        const auto contents = parse_journal(file.data(), cut, &error);
        ASSERT_TRUE(contents) << error;
        EXPECT_EQ(contents->records.size(), 2u) << "cut at " << cut;
        EXPECT_TRUE(contents->torn());
        EXPECT_EQ(contents->valid_bytes, last);
    }
    // A flipped bit in the last payload fails its CRC.
    JournalBytes corrupt = file;
    corrupt[corrupt.size() - 5] ^= 0x10;
    auto contents = parse_journal(corrupt.data(), corrupt.size(), &error);
    ASSERT_TRUE(contents) << error;
    EXPECT_EQ(contents->records.size(), 2u);
    const JournalReplay replay = replay_journal(base, contents->records);
    EXPECT_EQ(replay.batches, 2u);
    EXPECT_EQ(replay.document.revision, 9u);
    EXPECT_FALSE(replay.document.tracks[0].notes.empty());
    // A damaged header is no journal at all.
    corrupt = file;
    corrupt[20] ^= 1;
    EXPECT_FALSE(parse_journal(corrupt.data(), corrupt.size(), &error));
    EXPECT_EQ(error, "the journal header fails its CRC");
}

TEST(EditJournal, a_journal_of_another_file_or_another_state_of_it_is_not_replayed) {
    TempDir dir;
    const std::string song = (dir.path() / "song.json").string();
    const Document base = base_document();
    std::string error;
    ASSERT_TRUE(save_document_file(base, song, &error)) << error;
    DocumentEditor editor(base);
    const auto payloads = add_notes(editor, 5);
    {
        JournalWriter writer;
        writer.start(journal_path_for(song),
                     journal_header(journal_base_of_file(read_all(song), base.revision)), {}, false);
        for (const auto& p : payloads) writer.append(journal_record(p));
    }
    std::string note;
    const auto found = recover_from_journal(song, base, &note);
    ASSERT_TRUE(found) << note;
    EXPECT_EQ(found->replay.batches, 5u);
    EXPECT_EQ(journal_base_of(base), journal_base_of_file(read_all(song), base.revision))
        << "the base of a document is that of the file its save writes";

    Document other = base;  // the file replaced by another document
    other.title = "Another song";
    ASSERT_TRUE(save_document_file(other, song, &error)) << error;
    EXPECT_FALSE(recover_from_journal(song, other, &note));
    EXPECT_NE(note.find("another state of the document"), std::string::npos) << note;
    Document saved_later = base;  // the same content at another revision (saved after more edits)
    saved_later.revision = 8;
    ASSERT_TRUE(save_document_file(saved_later, song, &error)) << error;
    EXPECT_FALSE(recover_from_journal(song, saved_later, &note));
    ASSERT_TRUE(save_document_file(base, song, &error)) << error;
    ASSERT_TRUE(recover_from_journal(song, base, &note)) << "the file as it was, written again";
    const std::string text = read_all(song);
    std::ofstream(song) << text << "\n";  // the same document, reformatted: another file
    EXPECT_FALSE(recover_from_journal(song, base, &note));
}

TEST(EditJournal, a_replay_stops_at_a_batch_out_of_order_keeping_what_came_before) {
    const Document base = base_document();
    DocumentEditor editor(base);
    auto payloads = add_notes(editor, 3);
    std::swap(payloads[1], payloads[2]);
    const JournalReplay replay = replay_journal(base, payloads);
    EXPECT_EQ(replay.batches, 1u);
    EXPECT_EQ(replay.stopped, "record 2: batch 10 does not follow revision 8");
    EXPECT_EQ(replay.document.revision, 8u);
}

TEST(EditJournal, a_whole_document_record_replaces_the_base) {
    const Document base = base_document();
    DocumentEditor editor(base);
    add_notes(editor, 4);
    const Document current = editor.document();
    const std::vector<JournalBytes> records = {journal_document_payload(current)};
    const JournalReplay replay = replay_journal(base, records);
    EXPECT_EQ(replay.documents, 1u);
    EXPECT_EQ(canonical_document(replay.document), canonical_document(current));
}

TEST(EditJournal, a_record_that_does_not_fit_the_queue_ends_the_journal_with_the_prefix_written) {
    TempDir dir;
    const Document base = base_document();
    DocumentEditor editor(base);
    const auto payloads = add_notes(editor, 4);
    const std::string path = journal_path_for((dir.path() / "song.json").string());
    JournalWriter writer(/*max_queued_bytes=*/journal_record(payloads[0]).size() + 8);
    writer.start(path, journal_header(journal_base_of(base)), {}, false);
    writer.flush();
    EXPECT_TRUE(writer.append(journal_record(payloads[0])));
    writer.flush();
    JournalBytes huge = payloads[1];
    huge.resize(huge.size() + 4096);  // over the bound
    EXPECT_FALSE(writer.append(journal_record(huge)));
    EXPECT_FALSE(writer.append(journal_record(payloads[1]))) << "a later record must not skip the lost one";
    writer.flush();
    EXPECT_EQ(writer.stats().records_dropped, 2u);
    std::string error;
    auto contents = read_journal(path, &error);
    ASSERT_TRUE(contents) << error;
    EXPECT_EQ(contents->records.size(), 1u);
    // A fresh start (a save) journals again.
    writer.start(path, journal_header(journal_base_of(editor.document())), {}, false);
    writer.flush();  // its header counts against the bound until written
    EXPECT_TRUE(writer.append(journal_record(payloads[0])));
    writer.flush();
    contents = read_journal(path, &error);
    ASSERT_TRUE(contents) << error;
    EXPECT_EQ(contents->base, journal_base_of(editor.document()));
    EXPECT_EQ(contents->records.size(), 1u);
}

// The writer thread stuck in the file system (here: opening a FIFO that nobody reads, as a hung
// network file system would hold it): appending still returns at once, and once the bound is
// reached records are refused instead of waited for. (The test finishing is the check that nothing
// waited; no time is measured.)
TEST(EditJournal, appending_never_waits_for_a_writer_stuck_in_the_file_system) {
    TempDir dir;
    const std::string path = journal_path_for((dir.path() / "song.json").string());
    ASSERT_EQ(::mkfifo((path + ".new").c_str(), 0600), 0);
    const Document base = base_document();
    DocumentEditor editor(base);
    const JournalBytes record = journal_record(add_notes(editor, 1).front());
    constexpr std::size_t kBound = 64 * 1024;
    JournalWriter writer(kBound);
    writer.start(path, journal_header(journal_base_of(base)), {}, false);
    // The first record makes the writer create the file: its open blocks on the FIFO.
    std::size_t accepted = 0, refused = 0;
    for (int i = 0; i < 10000; ++i) (writer.append(record) ? accepted : refused) += 1;
    EXPECT_EQ(accepted, (kBound - kJournalHeaderSize) / record.size());
    EXPECT_EQ(refused, 10000 - accepted);
    EXPECT_LE(writer.stats().queued_bytes, kBound);
    // Let the writer go (its open returns once the FIFO has a reader) so that it can be joined.
    const int reader = ::open((path + ".new").c_str(), O_RDONLY | O_NONBLOCK);
    ASSERT_GE(reader, 0);
    writer.flush();
    ::close(reader);
    EXPECT_EQ(writer.stats().records_synced, 0u) << "a FIFO cannot be synced: nothing counts as written";
}

TEST(EditJournal, a_journal_file_exists_only_with_records_and_a_superseded_one_is_removed_when_asked) {
    TempDir dir;
    const Document base = base_document();
    DocumentEditor editor(base);
    const auto payloads = add_notes(editor, 1);
    const std::string a = journal_path_for((dir.path() / "a.json").string());
    const std::string b = journal_path_for((dir.path() / "b.json").string());
    std::ofstream(a) << "a stale journal of an older state";
    JournalWriter writer;
    writer.start(a, journal_header(journal_base_of(base)), {}, false);
    writer.flush();
    EXPECT_FALSE(fs::exists(a)) << "the stale journal stayed, or an empty one was made";
    writer.end(false);
    writer.flush();
    EXPECT_FALSE(fs::exists(a));

    writer.start(a, journal_header(journal_base_of(base)), {}, false);
    writer.append(journal_record(payloads[0]));
    writer.start(b, journal_header(journal_base_of(base)), {}, /*remove_previous=*/false);
    writer.append(journal_record(payloads[0]));
    writer.flush();
    EXPECT_TRUE(fs::exists(a)) << "its edits belong to a.json: kept";
    EXPECT_TRUE(fs::exists(b));
    writer.start(a, journal_header(journal_base_of(base)), {}, /*remove_previous=*/true);
    writer.flush();
    EXPECT_FALSE(fs::exists(b));
    EXPECT_FALSE(fs::exists(a + ".new"));
    writer.append(journal_record(payloads[0]));
    writer.end(/*remove=*/true);
    writer.flush();
    EXPECT_FALSE(fs::exists(a));
}

TEST(EditJournal, a_symbolic_link_in_place_of_the_new_journal_is_not_written_through) {
    TempDir dir;
    const fs::path victim = dir.path() / "victim.txt";
    std::ofstream(victim) << "keep me";
    const std::string path = journal_path_for((dir.path() / "song.json").string());
    fs::create_symlink(victim, path + ".new");
    JournalWriter writer;
    writer.start(path, journal_header(journal_base_of(base_document())), {}, false);
    writer.append(journal_record(OscOut("/track/level").h(1).d(0.5).bytes()));
    writer.flush();
    EXPECT_EQ(read_all(victim), "keep me");
    EXPECT_FALSE(fs::exists(path));
}

}  // namespace
}  // namespace tactus
