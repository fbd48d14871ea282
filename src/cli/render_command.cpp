#include "cli/render_command.h"

#include <CLI/CLI.hpp>
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <thread>
#include <vector>

#include "audio/audio_file_writer.h"
#include "cli/load_score.h"
#include "cli/output_rules.h"
#include "cli/progress_bar.h"
#include "cli/time_format.h"
#include "core/realtime_scope.h"
#include "engine/offline_render.h"
#include "engine/peak_level.h"

namespace tactus::cli {

namespace {

constexpr int kFramesPerWrite = 4096;

struct LevelMeter {
    float peak = 0.0f;
    std::int64_t clipped = 0;

    // Clipped samples are counted only in a run that has one.
    void add(const float* samples, int count) {
        const float block = peak_of(samples, count);
        peak = std::max(peak, block);
        if (block > 1.0f)
            for (int i = 0; i < count; ++i)
                if (std::abs(samples[i]) > 1.0f) ++clipped;
    }
};

std::string peak_text(float peak) {
    if (peak <= 0.0f) return "silence";
    char text[32];
    std::snprintf(text, sizeof text, "%.1f dBFS", 20.0 * std::log10(peak));
    return text;
}

std::optional<AudioFileSpec> spec_from_options(const RenderCommandOptions& options) {
    AudioFileSpec spec;
    std::string type = options.format;
    if (type.empty()) {
        const std::string ext = std::filesystem::path(options.output).extension().string();
        type = ext == ".flac" ? "flac" : "wav";
    }
    const auto file_type = parse_audio_file_type(type);
    if (!file_type) {
        std::cerr << "error: --format: unknown format '" << type << "' (use wav or flac)\n";
        return std::nullopt;
    }
    const auto sample_format = parse_audio_sample_format(options.bits);
    if (!sample_format) {
        std::cerr << "error: --bits: unknown sample format '" << options.bits << "' (use 16, 24 or 32f)\n";
        return std::nullopt;
    }
    spec.type = *file_type;
    spec.format = *sample_format;
    spec.sample_rate = static_cast<int>(options.rate);
    spec.channels = 2;
    if (const std::string problem = validate_audio_file_spec(spec); !problem.empty()) {
        std::cerr << "error: " << problem << "\n";
        return std::nullopt;
    }
    return spec;
}

}  // namespace

int run_render_command(const RenderCommandOptions& options) {
    if (!(options.rate >= 8000.0 && options.rate <= 384000.0) || options.rate != std::floor(options.rate)) {
        std::cerr << "error: --rate: " << options.rate << " Hz is not a whole rate in 8000..384000\n";
        return 1;
    }
    const auto spec = spec_from_options(options);
    if (!spec) return 1;
    if (!check_output_path({"render", options.input, options.output, options.output_option})) return 1;
    const auto csound = csound_permissions_or_report(options.csound_allow);
    if (!csound) return 1;
    const auto doc = load_score_or_report(options.input, *csound, options.soundfont);
    if (!doc) return 1;

    OfflineRenderOptions render_options;
    render_options.csound = *csound;
    render_options.sample_rate = options.rate;
    render_options.block_frames = options.block;
    render_options.threads = options.threads > 0
                                 ? options.threads
                                 : std::max(1, static_cast<int>(std::thread::hardware_concurrency()));
    std::string error;
    auto render = OfflineRender::create(*doc, render_options, &error);
    if (!render) {
        std::cerr << "error: " << options.input << ": " << error << "\n";
        return 1;
    }
    auto writer = AudioFileWriter::open(options.output, *spec, &error);
    if (!writer) {
        std::cerr << "error: " << error << "\n";
        return 1;
    }

    // The file, the meter and the progress take whole runs of blocks: their cost per call must not
    // depend on --block, whose job is the engine's block size.
    const int blocks_per_write = std::max(1, kFramesPerWrite / options.block);
    const int write_frames = blocks_per_write * options.block;
    std::vector<float> left(static_cast<std::size_t>(write_frames)), right(left.size());
    LevelMeter meter;
    ProgressBar progress("Rendering");
    const double expected = std::max<double>(1.0, static_cast<double>(render->score_end_frame()));
    const auto started = std::chrono::steady_clock::now();
    int last_percent = -1;
    for (;;) {
        int frames = 0;
        {
            RealtimeScope realtime;  // the render path obeys the audio thread's rules
            for (int got = options.block; got == options.block && frames < write_frames; frames += got)
                got = render->render_next(left.data() + frames, right.data() + frames);
        }
        if (frames == 0) break;
        meter.add(left.data(), frames);
        meter.add(right.data(), frames);
        if (!writer->write(left.data(), right.data(), frames, &error)) {
            std::cerr << "error: " << error << "\n";
            return 1;
        }
        const double fraction = static_cast<double>(render->frames_rendered()) / expected;
        progress.update(fraction);
        if (options.progress_lines) {
            const int percent = static_cast<int>(std::min(1.0, fraction) * 100.0);
            if (percent != last_percent) std::cout << "progress " << (last_percent = percent) << std::endl;
        }
    }
    progress.finish();
    if (!writer->close(&error)) {
        std::cerr << "error: " << error << "\n";
        return 1;
    }
    const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    const double seconds = static_cast<double>(render->frames_rendered()) / options.rate;

    std::cout << "Rendered " << options.input << " -> " << options.output << "\n";
    std::cout << "  duration  " << format_duration(seconds) << " (" << render->frames_rendered()
              << " frames at " << options.rate << " Hz)\n";
    std::cout << "  peak      " << peak_text(meter.peak);
    if (meter.clipped > 0)
        std::cout << "  CLIPPING: " << meter.clipped << " samples above 0 dBFS"
                  << (spec->format == AudioSampleFormat::Float32 ? " (kept in the float file)"
                                                                 : " (clamped)");
    else
        std::cout << "  (no clipping)";
    std::cout << "\n";
    char speed[64];
    std::snprintf(speed, sizeof speed, "%.1fx realtime (%.2f s, %d thread%s)",
                  elapsed > 0 ? seconds / elapsed : 0.0, elapsed, render->threads(),
                  render->threads() == 1 ? "" : "s");
    std::cout << "  speed     " << speed << "\n";
    return 0;
}

void add_render_command(CLI::App& app, int& exit_code) {
    auto options = std::make_shared<RenderCommandOptions>();
    CLI::App* cmd =
        app.add_subcommand("render", "Render a score to an audio file (offline, faster than realtime)");
    cmd->add_option("score", options->input, "Score document (.json)")->required();
    cmd->add_option("-o,--output", options->output, "Output audio file (.wav or .flac)")->required();
    cmd->add_option("--rate", options->rate, "Sample rate in Hz")->capture_default_str();
    add_csound_allow_option(cmd, &options->csound_allow);
    add_soundfont_option(cmd, &options->soundfont);
    cmd->add_option("--format", options->format, "wav or flac (default: from the output's extension)");
    cmd->add_option("--bits", options->bits, "16 (dithered), 24 or 32f")->capture_default_str();
    cmd->add_flag(
        "--progress-lines", options->progress_lines,
        "Print 'progress PERCENT' lines on stdout while rendering (for programs that show progress)");
    cmd->add_option("--threads", options->threads,
                    "Tracks rendered at once (default: one per core); the same sound for any count")
        ->check(CLI::Range(1, 256));
    cmd->add_option("--block", options->block, "Frames per render block")
        ->check(CLI::Range(1, 65536))
        ->capture_default_str();
    cmd->callback([options, &exit_code] { exit_code = run_render_command(*options); });
}

}  // namespace tactus::cli
