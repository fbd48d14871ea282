#include "core/midi_file.h"

#include <algorithm>
#include <cstdio>
#include <stdexcept>

#include "core/file_read.h"

namespace tactus {

namespace {

// A defect at a byte of the file: parse_midi turns it into the result's error.
struct MidiError : std::runtime_error {
    MidiError(std::size_t at, const std::string& what)
        : std::runtime_error("byte " + std::to_string(at) + ": " + what) {}
};

std::string hex(std::uint32_t v) {
    char buf[16];
    std::snprintf(buf, sizeof buf, "0x%02X", static_cast<unsigned>(v));
    return buf;
}

// Reads within [pos, end) of the file; every read checks that the bytes are there.
class Reader {
public:
    Reader(std::span<const std::uint8_t> bytes, std::size_t pos, std::size_t end, std::string what)
        : bytes_(bytes), pos_(pos), end_(end), what_(std::move(what)) {}

    std::size_t pos() const { return pos_; }
    bool at_end() const { return pos_ >= end_; }
    std::uint8_t byte() {
        need(1);
        return bytes_[pos_++];
    }
    std::uint8_t peek() {
        need(1);
        return bytes_[pos_];
    }
    std::uint32_t be(int n) {
        need(static_cast<std::size_t>(n));
        std::uint32_t v = 0;
        for (int i = 0; i < n; ++i) v = (v << 8) | bytes_[pos_++];
        return v;
    }
    // A variable-length quantity: at most 4 bytes (values up to 0x0FFFFFFF).
    std::uint32_t vlq() {
        const std::size_t start = pos_;
        std::uint32_t v = 0;
        for (int i = 0; i < 4; ++i) {
            const std::uint8_t b = byte();
            v = (v << 7) | (b & 0x7F);
            if (!(b & 0x80)) return v;
        }
        throw MidiError(start, "bad variable-length quantity: more than 4 bytes");
    }
    std::vector<std::uint8_t> take(std::size_t n) {
        need(n);
        std::vector<std::uint8_t> out(bytes_.begin() + static_cast<std::ptrdiff_t>(pos_),
                                      bytes_.begin() + static_cast<std::ptrdiff_t>(pos_ + n));
        pos_ += n;
        return out;
    }

private:
    void need(std::size_t n) const {
        if (pos_ > end_ || end_ - pos_ < n)
            throw MidiError(pos_, what_ + " is cut off: needs " + std::to_string(n) + " more byte" +
                                      (n == 1 ? "" : "s") + ", " +
                                      std::to_string(end_ > pos_ ? end_ - pos_ : 0) + " left");
    }
    std::span<const std::uint8_t> bytes_;
    std::size_t pos_;
    std::size_t end_;
    std::string what_;
};

// Data bytes that follow each channel status (0x80..0xE0 by high nibble).
int data_bytes(std::uint8_t status) {
    const int type = status & 0xF0;
    return type == 0xC0 || type == 0xD0 ? 1 : 2;
}

MidiTrackChunk read_track(std::span<const std::uint8_t> bytes, std::size_t chunk_start,
                          std::size_t data_start, std::size_t data_end, int index,
                          std::vector<std::string>& warnings) {
    MidiTrackChunk track;
    track.offset = chunk_start;
    const std::string name = "track " + std::to_string(index + 1);
    Reader r(bytes, data_start, data_end, "an event of " + name);
    std::uint64_t tick = 0;
    std::uint8_t running = 0;
    bool ended = false;
    while (!r.at_end()) {
        MidiEvent e;
        e.offset = r.pos();
        tick += r.vlq();
        e.tick = tick;
        const std::size_t status_at = r.pos();
        std::uint8_t status = r.peek();
        if (status & 0x80) {
            r.byte();
        } else if (running) {
            status = running;  // running status: this byte is the first data byte
        } else {
            throw MidiError(status_at,
                            "data byte " + hex(status) + " in " + name + " with no running status");
        }
        e.status = status;
        if (status < 0xF0) {
            e.kind = MidiEventKind::Channel;
            e.data = r.take(static_cast<std::size_t>(data_bytes(status)));
            for (std::uint8_t d : e.data)
                if (d & 0x80)
                    throw MidiError(status_at, "channel message " + hex(status) + " in " + name +
                                                   " has data byte " + hex(d) +
                                                   " (data bytes are below 0x80)");
            running = status;
        } else if (status == 0xFF) {
            e.kind = MidiEventKind::Meta;
            e.meta_type = r.byte();
            e.data = r.take(r.vlq());
            if (e.meta_type == 0x2F) {
                track.end_tick = tick;
                ended = true;
                break;
            }
        } else if (status == 0xF0 || status == 0xF7) {
            e.kind = status == 0xF0 ? MidiEventKind::Sysex : MidiEventKind::SysexEscape;
            e.data = r.take(r.vlq());
        } else {
            throw MidiError(status_at,
                            "status byte " + hex(status) + " in " + name +
                                " is a system common/realtime message, which a MIDI file cannot hold");
        }
        track.events.push_back(std::move(e));
    }
    if (!ended) {
        warnings.push_back(name + " (byte " + std::to_string(chunk_start) +
                           ") has no End of Track: it ends with its chunk");
        track.end_tick = tick;
    } else if (!r.at_end()) {
        warnings.push_back(name + ": " + std::to_string(data_end - r.pos()) +
                           " bytes after its End of Track are ignored (byte " + std::to_string(r.pos()) +
                           ")");
    }
    return track;
}

}  // namespace

MidiReadResult parse_midi(std::span<const std::uint8_t> bytes) {
    MidiReadResult result;
    try {
        Reader header(bytes, 0, bytes.size(), "the header chunk");
        if (bytes.size() < 4 || header.be(4) != 0x4D546864)  // "MThd"
            throw MidiError(0, "not a Standard MIDI File: it does not start with \"MThd\"");
        const std::uint32_t header_length = header.be(4);
        if (header_length < 6)
            throw MidiError(4, "the MThd chunk is " + std::to_string(header_length) + " bytes, needs 6");
        if (header_length > bytes.size() - 8)
            throw MidiError(4, "the MThd chunk claims " + std::to_string(header_length) + " bytes but only " +
                                   std::to_string(bytes.size() - 8) + " remain");
        MidiFile file;
        file.format = static_cast<int>(header.be(2));
        if (file.format > 2)
            throw MidiError(8, "format " + std::to_string(file.format) + " is not 0, 1 or 2");
        const std::uint32_t announced = header.be(2);
        const std::uint32_t division = header.be(2);
        if (division & 0x8000) {
            const int fps = -static_cast<int>(static_cast<std::int8_t>(division >> 8));
            if (fps != 24 && fps != 25 && fps != 29 && fps != 30)
                throw MidiError(
                    12, "SMPTE division of " + std::to_string(fps) + " frames per second (24, 25, 29 or 30)");
            file.division = {true, 0, fps, static_cast<int>(division & 0xFF)};
            if (file.division.ticks_per_frame == 0)
                throw MidiError(13, "SMPTE division of 0 ticks per frame");
        } else {
            if (division == 0) throw MidiError(12, "division of 0 ticks per quarter note");
            file.division.ticks_per_quarter = static_cast<int>(division);
        }
        std::size_t pos = 8 + header_length;
        while (pos < bytes.size()) {
            Reader chunk(bytes, pos, bytes.size(), "a chunk header");
            const std::uint32_t type = chunk.be(4);
            const std::uint32_t length = chunk.be(4);
            const std::size_t data_start = pos + 8;
            if (length > bytes.size() - data_start)
                throw MidiError(pos + 4, "chunk at byte " + std::to_string(pos) + " claims " +
                                             std::to_string(length) + " bytes but only " +
                                             std::to_string(bytes.size() - data_start) + " remain");
            if (type == 0x4D54726B) {  // "MTrk"
                file.tracks.push_back(read_track(bytes, pos, data_start, data_start + length,
                                                 static_cast<int>(file.tracks.size()), result.warnings));
            } else {
                result.warnings.push_back("unknown chunk at byte " + std::to_string(pos) + " skipped");
            }
            pos = data_start + length;
        }
        if (file.tracks.size() != announced)
            result.warnings.push_back("the header announces " + std::to_string(announced) +
                                      " tracks; the file has " + std::to_string(file.tracks.size()));
        if (file.format == 0 && file.tracks.size() > 1)
            result.warnings.push_back("format 0 file with " + std::to_string(file.tracks.size()) +
                                      " tracks: read as format 1");
        result.file = std::move(file);
    } catch (const MidiError& e) {
        result.error = e.what();
        result.file.reset();
    }
    return result;
}

MidiReadResult read_midi_file(const std::string& path) {
    MidiReadResult result;
    // Never a FIFO or a device: reading one would block or never end (core/file_read.h).
    const FileReadResult read = read_regular_file(path);
    if (!read.bytes) {
        result.error = path + ": " + read.error;
        return result;
    }
    const auto* bytes = reinterpret_cast<const std::uint8_t*>(read.bytes->data());
    result = parse_midi({bytes, read.bytes->size()});
    if (!result.error.empty()) result.error = path + ": " + result.error;
    for (std::string& w : result.warnings) w = path + ": " + w;
    return result;
}

namespace {

void put_be(std::vector<std::uint8_t>& out, std::uint32_t v, int n) {
    for (int i = n - 1; i >= 0; --i) out.push_back(static_cast<std::uint8_t>(v >> (8 * i)));
}

// The largest delta time a variable-length quantity holds (4 bytes of 7 bits).
constexpr std::uint64_t kMaxDelta = 0x0FFFFFFF;

void put_vlq(std::vector<std::uint8_t>& out, std::uint32_t v) {
    std::uint8_t groups[5];
    int n = 0;
    do {
        groups[n++] = v & 0x7F;
        v >>= 7;
    } while (v);
    while (n-- > 0) out.push_back(static_cast<std::uint8_t>(groups[n] | (n ? 0x80 : 0)));
}

}  // namespace

std::vector<std::uint8_t> serialise_midi(const MidiFile& file) {
    std::vector<std::uint8_t> out = {'M', 'T', 'h', 'd'};
    put_be(out, 6, 4);
    put_be(out, static_cast<std::uint32_t>(file.format), 2);
    put_be(out, static_cast<std::uint32_t>(file.tracks.size()), 2);
    if (file.division.smpte) {
        out.push_back(static_cast<std::uint8_t>(-file.division.frames_per_second));
        out.push_back(static_cast<std::uint8_t>(file.division.ticks_per_frame));
    } else {
        put_be(out, static_cast<std::uint32_t>(file.division.ticks_per_quarter), 2);
    }
    for (const MidiTrackChunk& track : file.tracks) {
        std::vector<std::uint8_t> body;
        std::uint64_t tick = 0;
        // A gap longer than one delta can say is bridged with empty text events.
        const auto put_delta = [&](std::uint64_t to) {
            for (; to - tick > kMaxDelta; tick += kMaxDelta) {
                put_vlq(body, static_cast<std::uint32_t>(kMaxDelta));
                body.insert(body.end(), {0xFF, 0x01, 0x00});
            }
            put_vlq(body, static_cast<std::uint32_t>(to - tick));
            tick = to;
        };
        for (const MidiEvent& e : track.events) {
            put_delta(e.tick);
            body.push_back(e.status);
            if (e.kind == MidiEventKind::Meta) body.push_back(e.meta_type);
            if (e.kind != MidiEventKind::Channel) put_vlq(body, static_cast<std::uint32_t>(e.data.size()));
            body.insert(body.end(), e.data.begin(), e.data.end());
        }
        put_delta(std::max(track.end_tick, tick));
        body.insert(body.end(), {0xFF, 0x2F, 0x00});
        out.insert(out.end(), {'M', 'T', 'r', 'k'});
        put_be(out, static_cast<std::uint32_t>(body.size()), 4);
        out.insert(out.end(), body.begin(), body.end());
    }
    return out;
}

}  // namespace tactus
