// RIFF walking for the SoundFont reader: chunk headers read with every size checked against its
// parent, and the error the reader throws internally (caught at its entry point, turned into
// "<path>: byte N: <what>").
//
// Threading: plain functions, the reader's thread.
#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "engine/soundfont/byte_source.h"

namespace tactus::sf2 {

// A malformed file: `byte` is the offset of the chunk or record at fault.
struct FormatError {
    std::uint64_t byte;
    std::string what;
};

struct Chunk {
    char id[4];
    std::uint64_t offset = 0;  // of the 8-byte header
    std::uint64_t data = 0;    // of the payload (offset + 8)
    std::uint32_t size = 0;    // of the payload, as the header gives it
    bool is(std::string_view four) const { return std::memcmp(id, four.data(), 4) == 0; }
    std::string name() const;  // the id, printable
};

// The chunks one after another in [begin, end) (a RIFF or LIST payload after its type). Each header
// and each payload must fit in [begin, end); the pad byte after an odd size may be missing at the end.
std::vector<Chunk> read_chunks(ByteSource& source, std::uint64_t begin, std::uint64_t end);

// The 4-character type that starts a LIST payload (the chunk must be a LIST of at least 4 bytes).
std::string list_type(ByteSource& source, const Chunk& list);

// Printable form of a 4-byte id (non-printable bytes as \xNN), for messages.
std::string printable_id(const char* id);

// Little-endian fields from a record (bounds are the caller's: records have fixed sizes).
inline std::uint16_t le16(const char* p) {
    return static_cast<std::uint16_t>(static_cast<unsigned char>(p[0]) |
                                      (static_cast<unsigned char>(p[1]) << 8));
}
inline std::uint32_t le32(const char* p) {
    return static_cast<std::uint32_t>(le16(p)) | (static_cast<std::uint32_t>(le16(p + 2)) << 16);
}
// A fixed-size name field (20 bytes in the pdta records): up to the first NUL, trailing spaces kept.
std::string fixed_name(const char* p, std::size_t n);

}  // namespace tactus::sf2
