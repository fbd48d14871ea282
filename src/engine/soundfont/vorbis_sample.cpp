#include "engine/soundfont/vorbis_sample.h"

#include <sndfile.h>

#include <algorithm>
#include <cstring>

namespace tactus::sf2 {

namespace {

// libsndfile's virtual I/O over a read-only byte range.
struct Cursor {
    std::string_view bytes;
    sf_count_t position = 0;
};

sf_count_t vio_length(void* user) {
    return static_cast<sf_count_t>(static_cast<Cursor*>(user)->bytes.size());
}

sf_count_t vio_seek(sf_count_t offset, int whence, void* user) {
    auto* c = static_cast<Cursor*>(user);
    const auto size = static_cast<sf_count_t>(c->bytes.size());
    sf_count_t target = offset;
    if (whence == SEEK_CUR) target = c->position + offset;
    if (whence == SEEK_END) target = size + offset;
    c->position = std::clamp<sf_count_t>(target, 0, size);
    return c->position;
}

sf_count_t vio_read(void* dst, sf_count_t count, void* user) {
    auto* c = static_cast<Cursor*>(user);
    const auto left = static_cast<sf_count_t>(c->bytes.size()) - c->position;
    const sf_count_t n = std::clamp<sf_count_t>(count, 0, left);
    if (n > 0) std::memcpy(dst, c->bytes.data() + c->position, static_cast<std::size_t>(n));
    c->position += n;
    return n;
}

sf_count_t vio_write(const void*, sf_count_t, void*) {
    return 0;
}

sf_count_t vio_tell(void* user) {
    return static_cast<Cursor*>(user)->position;
}

}  // namespace

std::int64_t decode_vorbis_sample(std::string_view ogg, std::vector<std::int16_t>& out,
                                  std::size_t max_frames, std::string* error) {
    Cursor cursor{ogg, 0};
    SF_VIRTUAL_IO io{vio_length, vio_seek, vio_read, vio_write, vio_tell};
    SF_INFO info{};
    SNDFILE* file = sf_open_virtual(&io, SFM_READ, &info, &cursor);
    if (file == nullptr) {
        *error = std::string("not an Ogg Vorbis stream (") + sf_strerror(nullptr) + ")";
        return -1;
    }
    if (info.channels < 1) {
        sf_close(file);
        *error = "Ogg Vorbis stream without channels";
        return -1;
    }
    const std::size_t before = out.size();
    constexpr sf_count_t kBlock = 4096;
    std::vector<std::int16_t> block(static_cast<std::size_t>(kBlock * info.channels));
    for (;;) {
        const sf_count_t got = sf_readf_short(file, block.data(), kBlock);
        if (got <= 0) break;
        if (static_cast<std::size_t>(got) > max_frames - std::min(max_frames, out.size())) {
            sf_close(file);
            out.resize(before);
            *error = "decoded samples exceed " + std::to_string(max_frames) + " frames";
            return -1;
        }
        for (sf_count_t i = 0; i < got; ++i)
            out.push_back(block[static_cast<std::size_t>(i * info.channels)]);
    }
    const int status = sf_error(file);
    sf_close(file);
    if (status != SF_ERR_NO_ERROR) {
        out.resize(before);
        *error = std::string("Ogg Vorbis decoding failed (") + sf_error_number(status) + ")";
        return -1;
    }
    return static_cast<std::int64_t>(out.size() - before);
}

}  // namespace tactus::sf2
