#include "server/edit_journal.h"

#include <openssl/evp.h>
#include <zlib.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <iterator>

#include "core/document_editor.h"
#include "core/document_json.h"
#include "server/edit_messages.h"
#include "server/osc_out.h"
#include "server/osc_packet.h"

namespace tactus {

namespace {

constexpr char kMagic[8] = {'T', 'A', 'C', 'T', 'J', 'R', 'N', 'L'};
constexpr std::uint32_t kFormatVersion = 1;

void put_u32(JournalBytes& out, std::uint32_t v) {
    for (int i = 0; i < 4; ++i) out.push_back(std::uint8_t(v >> (8 * i)));
}
void put_u64(JournalBytes& out, std::uint64_t v) {
    for (int i = 0; i < 8; ++i) out.push_back(std::uint8_t(v >> (8 * i)));
}
std::uint32_t get_u32(const std::uint8_t* p) {
    return std::uint32_t(p[0]) | std::uint32_t(p[1]) << 8 | std::uint32_t(p[2]) << 16 |
           std::uint32_t(p[3]) << 24;
}
std::uint64_t get_u64(const std::uint8_t* p) {
    return std::uint64_t(get_u32(p)) | std::uint64_t(get_u32(p + 4)) << 32;
}
std::uint32_t crc32_of(const std::uint8_t* data, std::size_t size, std::uint32_t crc = 0) {
    if (crc == 0) crc = static_cast<std::uint32_t>(::crc32(0L, Z_NULL, 0));
    while (size > 0) {  // zlib takes uInt lengths
        const auto n = static_cast<uInt>(std::min<std::size_t>(size, 1u << 30));
        crc = static_cast<std::uint32_t>(::crc32(crc, data, n));
        data += n;
        size -= n;
    }
    return crc;
}
// A record's CRC covers its length field too, so a length torn into another valid-looking length
// fails the check.
std::uint32_t record_crc(std::uint32_t length, const std::uint8_t* payload) {
    JournalBytes len;
    put_u32(len, length);
    return crc32_of(payload, length, crc32_of(len.data(), len.size()));
}

bool is_mixer_address(const std::string& a) {
    return a == "/track/level" || a == "/track/pan" || a == "/track/mute" || a == "/track/solo" ||
           a == "/bus/level" || a == "/bus/pan" || a == "/bus/mute" || a == "/bus/solo";
}

bool is_integer(const OscArg& a) {
    return a.type == 'i' || a.type == 'h';
}
bool is_number(const OscArg& a) {
    return is_integer(a) || a.type == 'f' || a.type == 'd';
}
double number(const OscArg& a) {
    return is_integer(a) ? double(a.i) : a.f;
}

// Applies one record's packet to `editor`; an error text when it cannot.
std::string apply_record(const OscPacket& packet, DocumentEditor& editor, JournalReplay& out) {
    if (packet.messages.empty()) return "an empty packet";
    const OscMessage& head = packet.messages.front();
    if (head.address == "/edited") {
        if (head.args.empty() || !is_integer(head.args[0])) return "an /edited head without a revision";
        const auto revision = static_cast<std::uint64_t>(head.args[0].i);
        if (revision != editor.revision() + 1)
            return "batch " + std::to_string(revision) + " does not follow revision " +
                   std::to_string(editor.revision());
        std::vector<Edit> edits;
        std::vector<NoteId> auditions;
        try {
            for (std::size_t i = 1; i < packet.messages.size(); ++i)
                parse_edit_message(packet.messages[i], edits, auditions);
        } catch (const std::exception& e) {
            return std::string("batch ") + std::to_string(revision) + ": " + e.what();
        }
        std::string error;
        if (!editor.apply(std::move(edits), nullptr, &error))
            return "batch " + std::to_string(revision) + ": " + error;
        ++out.batches;
        return {};
    }
    if (packet.messages.size() != 1) return "a bundle that is not an edit batch";
    if (is_mixer_address(head.address)) {
        if (head.args.size() != 2 || !is_integer(head.args[0]) || !is_number(head.args[1]))
            return head.address + " with arguments ," + head.types;
        MixChange change;
        const double v = number(head.args[1]);
        const std::string what = head.address.substr(head.address.rfind('/'));
        if (what == "/level") change.level = v;
        if (what == "/pan") change.pan = v;
        if (what == "/mute") change.mute = v != 0;
        if (what == "/solo") change.solo = v != 0;
        // A removed track or bus: nothing to do.
        const auto id = static_cast<std::uint64_t>(head.args[0].i);
        head.address.rfind("/bus/", 0) == 0 ? editor.set_bus_mix(id, change) : editor.set_mix(id, change);
        ++out.mixer_changes;
        return {};
    }
    if (head.address == "/track/send") {
        if (head.args.size() != 3 || !is_integer(head.args[0]) || !is_integer(head.args[1]) ||
            !is_number(head.args[2]))
            return head.address + " with arguments ," + head.types;
        editor.set_send_level(static_cast<TrackId>(head.args[0].i), static_cast<BusId>(head.args[1].i),
                              number(head.args[2]));
        ++out.mixer_changes;
        return {};
    }
    if (head.address.ends_with("/insert/parameter")) {
        const bool master = head.address == "/master/insert/parameter";
        const std::size_t first = master ? 0 : 1;
        if (head.args.size() != first + 3 || (!master && !is_integer(head.args[0])) ||
            !is_integer(head.args[first]) || head.types[first + 1] != 's' || !is_number(head.args[first + 2]))
            return head.address + " with arguments ," + head.types;
        const InsertOwner owner = master                                ? InsertOwner::Master
                                  : head.address.rfind("/bus/", 0) == 0 ? InsertOwner::Bus
                                                                        : InsertOwner::Track;
        editor.set_insert_parameter(owner, master ? 0 : static_cast<std::uint64_t>(head.args[0].i),
                                    static_cast<std::size_t>(head.args[first].i), head.args[first + 1].s,
                                    number(head.args[first + 2]));
        ++out.mixer_changes;
        return {};
    }
    if (head.address == "/track/parameter") {
        if (head.args.size() != 3 || !is_integer(head.args[0]) || head.types[1] != 's' ||
            !is_number(head.args[2]))
            return head.address + " with arguments ," + head.types;
        editor.set_parameter(static_cast<TrackId>(head.args[0].i), head.args[1].s, number(head.args[2]));
        ++out.mixer_changes;
        return {};
    }
    if (head.address == "/document") {
        if (head.types != "hs") return "/document with arguments ," + head.types;
        LoadResult loaded = parse_document(head.args[1].s, "journal");
        if (!loaded.document)
            return "a document record that does not load: " + loaded.errors.front().to_string();
        loaded.document->revision = static_cast<std::uint64_t>(head.args[0].i);
        editor.reset(std::move(*loaded.document));
        ++out.documents;
        return {};
    }
    return "an unknown record " + head.address;
}

}  // namespace

JournalBase journal_base_of_file(std::string_view file_bytes, std::uint64_t revision) {
    JournalBase base;
    base.revision = revision;
    unsigned int size = 0;
    EVP_Digest(file_bytes.data(), file_bytes.size(), base.digest.data(), &size, EVP_sha256(), nullptr);
    return base;
}

JournalBase journal_base_of(const Document& doc) {
    return journal_base_of_file(document_to_string(canonical_document(doc)), doc.revision);
}

std::string journal_path_for(const std::string& document_path) {
    const auto slash = document_path.rfind('/');
    const std::string dir = slash == std::string::npos ? std::string() : document_path.substr(0, slash + 1);
    const std::string name = slash == std::string::npos ? document_path : document_path.substr(slash + 1);
    return dir + "." + name + ".journal";
}

JournalBytes journal_header(const JournalBase& base) {
    JournalBytes out(std::begin(kMagic), std::end(kMagic));
    put_u32(out, kFormatVersion);
    put_u32(out, 0);  // flags, none yet
    out.insert(out.end(), base.digest.begin(), base.digest.end());
    put_u64(out, base.revision);
    put_u32(out, crc32_of(out.data(), out.size()));
    return out;
}

JournalBytes journal_record(const JournalBytes& payload) {
    JournalBytes out;
    out.reserve(payload.size() + 8);
    const auto length = static_cast<std::uint32_t>(payload.size());
    put_u32(out, length);
    put_u32(out, record_crc(length, payload.data()));
    out.insert(out.end(), payload.begin(), payload.end());
    return out;
}

JournalBytes journal_document_payload(const Document& doc) {
    return osc_int64_and_long_string("/document", static_cast<std::int64_t>(doc.revision),
                                     document_to_string(canonical_document(doc)));
}

std::optional<JournalContents> parse_journal(const std::uint8_t* data, std::size_t size, std::string* error) {
    if (size < kJournalHeaderSize || std::memcmp(data, kMagic, sizeof kMagic) != 0) {
        if (error) *error = "not an edit journal (no TACTJRNL header)";
        return std::nullopt;
    }
    if (get_u32(data + 56) != crc32_of(data, 56)) {
        if (error) *error = "the journal header fails its CRC";
        return std::nullopt;
    }
    if (get_u32(data + 8) != kFormatVersion) {
        if (error) *error = "journal format version " + std::to_string(get_u32(data + 8)) + " is not known";
        return std::nullopt;
    }
    JournalContents out;
    std::memcpy(out.base.digest.data(), data + 16, 32);
    out.base.revision = get_u64(data + 48);
    out.file_bytes = size;
    std::size_t at = kJournalHeaderSize;
    while (size - at >= 8) {
        const std::uint32_t length = get_u32(data + at);
        if (length > kMaxJournalRecord || length > size - at - 8) break;  // torn
        if (get_u32(data + at + 4) != record_crc(length, data + at + 8)) break;
        out.records.emplace_back(data + at + 8, data + at + 8 + length);
        at += 8 + std::size_t{length};
    }
    out.valid_bytes = at;
    return out;
}

std::optional<JournalContents> read_journal(const std::string& path, std::string* error) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        if (errno != ENOENT && error) *error = path + ": " + std::strerror(errno);
        return std::nullopt;
    }
    const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (in.bad()) {
        if (error) *error = path + ": read error";
        return std::nullopt;
    }
    std::string why;
    auto contents = parse_journal(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size(), &why);
    if (!contents && error) *error = path + ": " + why;
    return contents;
}

// GCC 12 takes Document's default meter ({TimeSignature{}}) for uninitialised when it inlines
// DocumentEditor here (a false positive, GCC bug 105562's kind).
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif
JournalReplay replay_journal(Document base, const std::vector<JournalBytes>& records) {
    JournalReplay out;
    DocumentEditor editor(std::move(base));
    for (const JournalBytes& record : records) {
        OscPacket packet;
        std::string error;
        if (!parse_osc_packet(record.data(), record.size(), packet, &error)) {
            out.stopped = "record " + std::to_string(out.records_used + 1) + ": " + error;
            break;
        }
        error = apply_record(packet, editor, out);
        if (!error.empty()) {
            out.stopped = "record " + std::to_string(out.records_used + 1) + ": " + error;
            break;
        }
        ++out.records_used;
    }
    out.document = editor.document();
    return out;
}
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif

std::optional<JournalRecovery> recover_from_journal(const std::string& document_path,
                                                    std::string_view file_bytes, const Document& file_doc,
                                                    std::string* note) {
    const std::string path = journal_path_for(document_path);
    std::string error;
    auto contents = read_journal(path, &error);
    if (!contents) {
        if (note) *note = error;
        return std::nullopt;
    }
    if (contents->base != journal_base_of_file(file_bytes, file_doc.revision)) {
        if (note) *note = path + " was written for another state of the document: not replayed";
        return std::nullopt;
    }
    if (contents->records.empty()) {
        if (note) *note = contents->torn() ? path + " holds only a torn record" : "";
        return std::nullopt;
    }
    JournalRecovery out;
    out.records = contents->records.size();
    out.torn = contents->torn();
    out.replay = replay_journal(file_doc, contents->records);
    if (note) *note = out.replay.stopped;
    return out;
}

std::optional<JournalRecovery> recover_from_journal(const std::string& document_path,
                                                    const Document& file_doc, std::string* note) {
    std::ifstream in(document_path, std::ios::binary);
    const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (!in.good() && !in.eof()) {
        if (note) *note = document_path + ": cannot be read again to check its journal";
        return std::nullopt;
    }
    return recover_from_journal(document_path, bytes, file_doc, note);
}

}  // namespace tactus
