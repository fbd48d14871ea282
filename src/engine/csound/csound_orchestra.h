// A Csound orchestra compiled and started in a Csound instance of its own, with Csound's audio and MIDI
// I/O off: the engine performs it k-cycle by k-cycle from its own audio thread and reads its output
// (engine/csound/csound_instrument.h). The orchestra is a `.orc` file or the <CsInstruments> section
// of a `.csd`; errors carry Csound's own text and the line of that file.
//
// Threading: load() and the destructor run off the audio thread (they allocate, read files and let
// Csound print). Between them only the one thread that performs the instance may use csound().
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "engine/csound/csound_orchestra_policy.h"

typedef struct CSOUND_ CSOUND;

namespace tactus {

// A named channel the orchestra declares (chn_k, chn_a, chn_S, chnexport).
struct CsoundChannel {
    enum class Kind { Control, Audio, String, Other };
    std::string name;
    Kind kind = Kind::Control;
    bool input = false;   // the host may write it
    bool output = false;  // the orchestra writes it
    double default_value = 0.0;
    double minimum = 0.0;  // 0 and 0: no range declared
    double maximum = 0.0;
};

// The orchestra text of `file_text`: all of it for a .orc, the <CsInstruments> section of a .csd.
// `first_line` is the line of the file the text starts on (1 for a .orc).
struct CsoundSource {
    std::string orchestra;
    int first_line = 1;
};
std::optional<CsoundSource> csound_source_of(const std::string& file_text, const std::string& file_name,
                                             std::string* error);

class CsoundOrchestra {
public:
    ~CsoundOrchestra();
    CsoundOrchestra(const CsoundOrchestra&) = delete;
    CsoundOrchestra& operator=(const CsoundOrchestra&) = delete;

    // Reads, compiles and starts the orchestra at `path` at `sample_rate` (the orchestra's own `sr` is
    // overridden; its ksmps is kept). nullptr with *error set to "<path>:<line>: <Csound's message>"
    // (or why the file could not be read) when it fails. The orchestra starts only if it does nothing
    // beyond `permissions` (default: sound only); otherwise *error is the policy's first refusal,
    // "<path>:<line>: opcode 'system_i' runs programs...", and nothing of it has run.
    static std::unique_ptr<CsoundOrchestra> load(const std::string& path, double sample_rate,
                                                 std::string* error,
                                                 const CsoundPermissions& permissions = {});
    // The same for orchestra text; `file_name` and `first_line` name where it came from in errors.
    static std::unique_ptr<CsoundOrchestra> compile(const CsoundSource& source, const std::string& file_name,
                                                    double sample_rate, std::string* error,
                                                    const CsoundPermissions& permissions = {});

    CSOUND* csound() const { return csound_; }
    int ksmps() const { return ksmps_; }
    int output_channels() const { return output_channels_; }  // nchnls
    double sample_rate() const { return sample_rate_; }
    const std::vector<CsoundChannel>& channels() const { return channels_; }

    // The instrument number of `name_or_number` ("3", or a named instrument "Bell"); nullopt when the
    // orchestra has no such instrument.
    std::optional<int> instrument_number(const std::string& name_or_number) const;

private:
    CsoundOrchestra() = default;

    CSOUND* csound_ = nullptr;
    int ksmps_ = 0;
    int output_channels_ = 0;
    double sample_rate_ = 0.0;
    std::vector<CsoundChannel> channels_;
    std::string instrument_text_;  // the orchestra text, for its `instr` lines
};

}  // namespace tactus
