// Opening a backend by kind (audio/audio_backend.h): an unknown kind is refused with the list of valid
// ones, and a device backend that cannot open a device says so in a message naming the backend, never by
// throwing or crashing. (There is no sound card on the test machines: RtAudio playback is not tested.)

#include <gtest/gtest.h>
#include <time.h>

#include <string>

#include "audio/audio_backend.h"

namespace tactus {
namespace {

AudioBackendOptions kind(const std::string& name, const std::string& device = "") {
    AudioBackendOptions options;
    options.kind = name;
    options.device = device;
    return options;
}

bool starts_with(const std::string& text, const std::string& prefix) {
    return text.rfind(prefix, 0) == 0;
}

TEST(OpenAudioBackendTest, an_unknown_kind_lists_the_valid_ones) {
    std::string error;
    EXPECT_EQ(open_audio_backend(kind("asio"), &error), nullptr);
    EXPECT_NE(error.find("'asio'"), std::string::npos) << error;
    for (const char* valid : {"jack", "alsa", "pulse", "default", "offline"}) {
        EXPECT_NE(error.find(valid), std::string::npos) << error;
    }
    EXPECT_EQ(open_audio_backend(kind("asio"), nullptr), nullptr);  // error may be null
}

TEST(OpenAudioBackendTest, alsa_with_a_device_that_does_not_exist_fails_with_a_message_naming_alsa) {
    std::string error;
    EXPECT_EQ(open_audio_backend(kind("alsa", "tactus-no-such-device"), &error), nullptr);
    EXPECT_TRUE(starts_with(error, "alsa: ")) << error;
    // Either there is no device at all, or none of that name.
    EXPECT_TRUE(error.find("no audio output device") != std::string::npos ||
                error.find("tactus-no-such-device") != std::string::npos)
        << error;
}

TEST(OpenAudioBackendTest, alsa_without_a_sound_card_fails_cleanly) {
    std::string error;
    auto backend = open_audio_backend(kind("alsa"), &error);
    if (backend) GTEST_SKIP() << "this machine has a sound card: " << backend->description();
    EXPECT_TRUE(starts_with(error, "alsa: ")) << error;
    EXPECT_GT(error.size(), std::string("alsa: ").size());
}

TEST(OpenAudioBackendTest, an_out_of_range_device_number_is_refused) {
    std::string error;
    EXPECT_EQ(open_audio_backend(kind("alsa", "99999"), &error), nullptr);
    EXPECT_TRUE(starts_with(error, "alsa: ")) << error;
}

TEST(OpenAudioBackendTest, pulse_without_a_server_or_device_fails_cleanly) {
    std::string error;
    auto backend = open_audio_backend(kind("pulse", "tactus-no-such-device"), &error);
    EXPECT_EQ(backend, nullptr);
    EXPECT_TRUE(starts_with(error, "pulse: ")) << error;
}

TEST(OpenAudioBackendTest, monotonic_now_is_clock_monotonic_in_nanoseconds) {
    timespec before{}, after{};
    clock_gettime(CLOCK_MONOTONIC, &before);
    const std::int64_t now = monotonic_now_ns();
    clock_gettime(CLOCK_MONOTONIC, &after);
    EXPECT_GE(now, before.tv_sec * 1'000'000'000LL + before.tv_nsec);
    EXPECT_LE(now, after.tv_sec * 1'000'000'000LL + after.tv_nsec);
}

}  // namespace
}  // namespace tactus
