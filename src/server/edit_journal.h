// The edit journal's file format (docs/document-format.md, "The edit journal") and its replay: every
// edit batch and mixer change the engine accepts for a document that has a file, written beside it
// so that the document can be rebuilt after a crash of everything (power cut, kill -9 of the GUI and
// the engine). Writing happens on a thread of its own (server/journal_writer.h); this part only
// builds bytes, reads a journal back and replays it, so the engine and the GUI (which links
// tactus_protocol, not the engine) share it.
//
// File: a 60-byte header (magic "TACTJRNL", format version, SHA-256 of the base document file's
// bytes, its revision, CRC-32 of the header), then records: u32 payload length, u32 CRC-32 of the
// length and payload (little-endian both), payload. A payload is one OSC packet, the protocol's own
// bytes: an applied batch as pushed to subscribers (`/edited` bundle), a mixer change in normal form
// (`/track/level h d` ...), or a whole document (`/document h s`) that replaces the one being built.
// A reader stops at the first record that is incomplete or fails its CRC: a record torn by a crash
// is ignored and so is everything after it.
//
// Threading: plain functions, reentrant; blocking file reads (never the audio thread).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/score.h"

namespace tactus {

using JournalBytes = std::vector<std::uint8_t>;

inline constexpr std::size_t kJournalHeaderSize = 60;
// A record longer than this is taken for garbage (a torn length field) and ends the journal.
inline constexpr std::uint32_t kMaxJournalRecord = 1u << 30;

// Which document file a journal continues: the SHA-256 of the file's bytes as they are on disk (so
// a file changed in any way since, even reformatted, is another base) and its document's revision.
struct JournalBase {
    std::array<std::uint8_t, 32> digest{};
    std::uint64_t revision = 0;
    friend bool operator==(const JournalBase&, const JournalBase&) = default;
};

JournalBase journal_base_of_file(std::string_view file_bytes, std::uint64_t revision);
// The base of the file that saving `doc` writes (document_to_string of its canonical form).
JournalBase journal_base_of(const Document& doc);

// Where the journal of the document file `document_path` lives: beside it, hidden,
// "DIR/.NAME.journal" (for "DIR/song.json": "DIR/.song.json.journal").
std::string journal_path_for(const std::string& document_path);

JournalBytes journal_header(const JournalBase& base);
// One record (length, CRC, payload) holding `payload`.
JournalBytes journal_record(const JournalBytes& payload);
// The payload of a record that replaces the document being rebuilt with `doc`.
JournalBytes journal_document_payload(const Document& doc);

struct JournalContents {
    JournalBase base;
    std::vector<JournalBytes> records;  // payloads, in order, up to the first bad record
    std::size_t valid_bytes = 0;        // header and good records
    std::size_t file_bytes = 0;
    bool torn() const { return valid_bytes < file_bytes; }
};

// Reads a journal. nullopt when there is none; nullopt with *error set when it cannot be read or its
// header is not a journal's (wrong magic, version or header CRC).
std::optional<JournalContents> read_journal(const std::string& path, std::string* error);
// The same over bytes already in memory.
std::optional<JournalContents> parse_journal(const std::uint8_t* data, std::size_t size, std::string* error);

struct JournalReplay {
    Document document;
    std::size_t batches = 0;        // edit batches applied
    std::size_t mixer_changes = 0;  // mixer changes applied
    std::size_t documents = 0;      // whole documents taken
    std::size_t records_used = 0;
    std::string stopped;  // why replay stopped before the last record ("" when all were used)
};

// Applies the records to `base` in order; a record that cannot be applied (unparsable, a batch whose
// revision is not the next one, an edit that fails) stops the replay there, keeping what came before.
JournalReplay replay_journal(Document base, const std::vector<JournalBytes>& records);

// What a document file's journal holds for it: found when a journal for exactly this file (digest of
// its bytes and revision) is beside it and holds at least one record.
struct JournalRecovery {
    JournalReplay replay;
    std::size_t records = 0;
    bool torn = false;
};
// `file_bytes`: the file at `document_path` as read; `file_doc`: its document. nullopt when there is
// no journal, it belongs to another file or another state of this one, or holds nothing; *note
// (optional) then says which, for a log line ("" when there was no journal at all).
std::optional<JournalRecovery> recover_from_journal(const std::string& document_path,
                                                    std::string_view file_bytes, const Document& file_doc,
                                                    std::string* note = nullptr);
// The same, reading the file's bytes itself (nullopt when it cannot).
std::optional<JournalRecovery> recover_from_journal(const std::string& document_path,
                                                    const Document& file_doc, std::string* note = nullptr);

}  // namespace tactus
