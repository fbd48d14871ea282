// Eight-sample vectors for the synth's inner loops: GCC/Clang vector extensions, lowered to whatever
// SIMD the target has (SSE2 pairs on baseline x86-64, AVX with -mavx) with per-lane IEEE arithmetic, so
// a sample's value never depends on which lane or chunk computed it.
//
// Vectors wider than 16 bytes are passed by reference and loaded/stored with memcpy: passing them by
// value would depend on the target's vector ABI (GCC warns, -Wpsabi).
#pragma once

#include <cstdint>
#include <cstring>

namespace tactus::synth {

inline constexpr int kSimdWidth = 8;

typedef float FloatLanes __attribute__((vector_size(kSimdWidth * sizeof(float))));
typedef std::int32_t IntLanes __attribute__((vector_size(kSimdWidth * sizeof(std::int32_t))));
typedef double DoubleLanes __attribute__((vector_size(kSimdWidth * sizeof(double))));
typedef std::int64_t WideIntLanes __attribute__((vector_size(kSimdWidth * sizeof(std::int64_t))));

template <typename V, typename T>
inline void load_lanes(V& v, const T* x) {
    std::memcpy(&v, x, sizeof v);
}
template <typename T, typename V>
inline void store_lanes(T* x, const V& v) {
    std::memcpy(x, &v, sizeof v);
}

// 0, 1, ..., 7: a lane's offset within its chunk.
inline void lane_offsets(DoubleLanes& out) {
    out = DoubleLanes{0, 1, 2, 3, 4, 5, 6, 7};
}
inline void lane_offsets(FloatLanes& out) {
    out = FloatLanes{0, 1, 2, 3, 4, 5, 6, 7};
}

// out[i] = value for i < n, eight at a time (std::fill stays scalar at -O2).
inline void fill_lanes(float* out, int n, float value) {
    const FloatLanes v = FloatLanes{} + value;
    int i = 0;
    for (; i + kSimdWidth <= n; i += kSimdWidth) store_lanes(out + i, v);
    for (; i < n; ++i) out[i] = value;
}

// out[i] += a[i] * b[i] * scale for i < n, in chunks of eight (each sample the same arithmetic as the
// scalar expression, whatever chunk it falls in).
inline void add_product(float* __restrict out, const float* __restrict a, const float* __restrict b,
                        float scale, int n) {
    int i = 0;
    for (; i + kSimdWidth <= n; i += kSimdWidth) {
        FloatLanes o, x, y;
        load_lanes(o, out + i);
        load_lanes(x, a + i);
        load_lanes(y, b + i);
        o += x * y * scale;
        store_lanes(out + i, o);
    }
    for (; i < n; ++i) out[i] += a[i] * b[i] * scale;
}

}  // namespace tactus::synth
