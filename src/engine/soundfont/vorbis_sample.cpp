#include "engine/soundfont/vorbis_sample.h"

#include <vorbis/vorbisfile.h>

#include <algorithm>
#include <cstring>

namespace tactus::sf2 {

namespace {

// libvorbisfile's read callback over a byte range (no seek callback: a non-seekable stream, which
// is all a sample needs and keeps the library off its chained-stream bisection).
struct Cursor {
    std::string_view bytes;
    std::size_t position = 0;
};

std::size_t read_bytes(void* dst, std::size_t size, std::size_t count, void* user) {
    auto* c = static_cast<Cursor*>(user);
    const std::size_t n = std::min(size * count, c->bytes.size() - c->position);
    if (n > 0) std::memcpy(dst, c->bytes.data() + c->position, n);
    c->position += n;
    return size == 0 ? 0 : n / size;
}

const char* describe(long code) {
    switch (code) {
        case OV_EREAD:
            return "read error";
        case OV_ENOTVORBIS:
            return "not Vorbis data";
        case OV_EVERSION:
            return "unsupported Vorbis version";
        case OV_EBADHEADER:
            return "bad Vorbis header";
        case OV_EBADLINK:
            return "corrupt stream link";
        case OV_EFAULT:
            return "decoder fault";
        case OV_EINVAL:
            return "invalid stream";
        default:
            return "undecodable stream";
    }
}

}  // namespace

std::int64_t vorbis_frame_count(std::string_view ogg) {
    // An Ogg page header: "OggS", version, flags, then the 64-bit little-endian granule position.
    constexpr std::size_t kGranuleAt = 6, kHeaderPrefix = 14;
    const std::size_t last = ogg.rfind("OggS");
    if (last == std::string_view::npos || ogg.size() - last < kHeaderPrefix) return -1;
    std::uint64_t granule = 0;
    for (std::size_t i = 0; i < 8; ++i) {
        granule |= std::uint64_t{static_cast<unsigned char>(ogg[last + kGranuleAt + i])} << (8 * i);
    }
    return granule > std::uint64_t{INT64_MAX} ? -1 : static_cast<std::int64_t>(granule);
}

std::int64_t decode_vorbis_sample(std::string_view ogg, std::vector<std::int16_t>& out,
                                  std::size_t max_frames, std::string* error) {
    Cursor cursor{ogg, 0};
    const ov_callbacks callbacks{read_bytes, nullptr, nullptr, nullptr};
    OggVorbis_File file;
    const int opened = ov_open_callbacks(&cursor, &file, nullptr, 0, callbacks);
    if (opened < 0) {  // ov_open_callbacks has already released everything
        *error = std::string("not an Ogg Vorbis stream (") + describe(opened) + ")";
        return -1;
    }
    const std::size_t before = out.size();
    char block[8192];
    for (;;) {
        int link = 0;
        const long got = ov_read(&file, block, sizeof block, 0 /* little-endian */, 2, 1, &link);
        if (got == 0) break;
        if (got == OV_HOLE) continue;  // a gap in the data: decoding goes on after it
        const vorbis_info* info = got > 0 ? ov_info(&file, -1) : nullptr;
        if (got < 0 || info == nullptr || info->channels < 1) {
            ov_clear(&file);
            out.resize(before);
            *error = std::string("Ogg Vorbis decoding failed (") + describe(got < 0 ? got : OV_EINVAL) + ")";
            return -1;
        }
        const std::size_t frame_bytes = 2 * static_cast<std::size_t>(info->channels);
        const std::size_t frames = static_cast<std::size_t>(got) / frame_bytes;
        if (frames > max_frames - std::min(max_frames, out.size())) {
            ov_clear(&file);
            out.resize(before);
            *error = "decoded samples exceed " + std::to_string(max_frames) + " frames";
            return -1;
        }
        for (std::size_t f = 0; f < frames; ++f) {  // the first channel, little-endian 16-bit
            const auto* p = reinterpret_cast<const unsigned char*>(block + f * frame_bytes);
            out.push_back(static_cast<std::int16_t>(static_cast<std::uint16_t>(p[0] | (p[1] << 8))));
        }
    }
    ov_clear(&file);
    return static_cast<std::int64_t>(out.size() - before);
}

}  // namespace tactus::sf2
