// `tactus plugins`: lists the installed LV2 plugins (Debian's mda-lv2 among them), filters by category,
// shows one plugin's controls, and names a URI that is not installed with a non-zero exit.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "support/cli_run.h"

namespace tactus {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

TEST(CliPlugins, lists_instruments_and_effects_with_their_category_and_audio_ports) {
    const test::CliRun run = test::run_tactus("plugins");
    ASSERT_EQ(run.exit_code, 0) << run.output;
    EXPECT_THAT(
        run.output,
        HasSubstr(
            "http://drobilla.net/plugins/mda/EPiano  MDA ePiano  [Instrument]  audio 0 in 2 out, MIDI in"));
    EXPECT_THAT(run.output, HasSubstr("http://drobilla.net/plugins/mda/Delay  MDA Delay  [Delay]"));
}

TEST(CliPlugins, a_category_keeps_only_its_plugins) {
    const test::CliRun run = test::run_tactus("plugins --category instrument");
    ASSERT_EQ(run.exit_code, 0) << run.output;
    EXPECT_THAT(run.output, HasSubstr("MDA JX10"));
    EXPECT_THAT(run.output, Not(HasSubstr("[Delay]")));
    const test::CliRun none = test::run_tactus("plugins --category no-such-kind");
    EXPECT_EQ(none.exit_code, 1);
    EXPECT_THAT(none.output, HasSubstr("no installed LV2 plugin is in category 'no-such-kind'"));
}

TEST(CliPlugins, one_plugin_shows_its_controls_and_a_missing_one_is_named) {
    const test::CliRun run = test::run_tactus("plugins http://drobilla.net/plugins/mda/EPiano");
    ASSERT_EQ(run.exit_code, 0) << run.output;
    EXPECT_THAT(run.output, HasSubstr("  treble_boost: Treble Boost, 0..1, default 0.5\n"));
    EXPECT_THAT(run.output, HasSubstr("  polyphonic: Polyphonic, 0..1, default 1 (on/off)\n"));
    const test::CliRun missing = test::run_tactus("plugins http://example.org/nothing");
    EXPECT_EQ(missing.exit_code, 1);
    EXPECT_FALSE(missing.crashed);
    EXPECT_THAT(missing.output, HasSubstr("LV2 plugin <http://example.org/nothing> is not installed"));
}

}  // namespace
}  // namespace tactus
