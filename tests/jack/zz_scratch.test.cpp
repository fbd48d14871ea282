#include <gtest/gtest.h>
#include "click_score.h"
#include "tactusd_jack_fixture.h"
namespace tactus::test {
namespace {
TEST_F(TactusdJackTest, scratch_freeze) {
    const Document doc = click_score();
    ASSERT_TRUE(load(save_temp(doc, "click")));
    JackRecorder* recorder = start_recorder(32.0);
    std::this_thread::sleep_for(100ms);
    const auto play = play_from(0.0);
    const auto expected = expected_onsets(doc, kClickTempo, *play, kRate);
    ASSERT_TRUE(recorder->wait_until_recorded(*play + 3 * kRate, 10s));
    const JackFrame before = recorder->recorded_until();
    tactusd_->suspend();
    std::this_thread::sleep_for(150ms);
    tactusd_->resume();
    const JackFrame after = recorder->recorded_until();
    std::printf("freeze: recorded_until before %ld after %ld (diff %ld)\n", before, after, after-before);
    const JackFrame end = *play + 6 * kRate;
    ASSERT_TRUE(recorder->wait_until_recorded(end, 10s));
    auto st = status();
    recorder->stop();
    for (auto [a, b] : recorder->gaps()) std::printf("gap [%ld, %ld) = %ld frames\n", a, b, b - a);
    std::printf("recorder xruns %ld, tactusd xruns %ld\n", recorder->xruns(), st ? st->xruns : -1);
    const OnsetCheck check = check_onsets(*recorder, expected, *play, *play - 512, end);
    for (auto& f : check.failures) std::printf("%s\n", f.c_str());
    std::printf("observable %d unobservable %d\n", check.observable, check.unobservable);
    // find silence regions where notes were expected
    for (const auto& e : expected) {
        if (e.frame < end && e.frame > before - 10000 && e.frame < after + 20000) {
            auto s = recorder->sample_at(0, e.frame);
            std::printf("note %zu at %ld: sample %s\n", e.index, e.frame, s ? std::to_string(*s).c_str() : "lost");
        }
    }
    auto cyc = recorder->cycles();
    for (size_t i = 1; i < cyc.size(); ++i) if (cyc[i].frame_time >= before - 1024 && cyc[i].frame_time < after + 4096) {
        float mx = 0; for (int k = 0; k < cyc[i].frames; ++k) mx = std::max(mx, std::abs(*recorder->sample_at(0, cyc[i].frame_time + k)));
        std::printf("cycle %ld max %f\n", cyc[i].frame_time, mx);
    }
}
}  // namespace
}  // namespace tactus::test
