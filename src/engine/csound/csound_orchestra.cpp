#include "engine/csound/csound_orchestra.h"

#include <csound/csound.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <mutex>

#include "core/file_read.h"

namespace tactus {

namespace {

// Everything Csound prints while an orchestra compiles and starts (its errors come in pieces).
struct LoadMessages {
    std::string text;
};

void collect_message(CSOUND* csound, int /*attributes*/, const char* message) {
    if (auto* messages = static_cast<LoadMessages*>(csoundGetHostData(csound))) messages->text += message;
}

// Csound's audio, MIDI, displays and console colours off; events start on their exact sample.
constexpr const char* kOptions[] = {
    "-n",           "-d",           "-m0", "--sample-accurate", "-+rtaudio=null", "-+rtmidi=null",
    "--nodisplays", "-+msg_color=0"};

std::string collapse_whitespace(const std::string& text) {
    std::string out;
    bool space = false;
    for (char c : text) {
        if (std::isspace(static_cast<unsigned char>(c))) {
            space = !out.empty();
            continue;
        }
        if (space) out += ' ';
        space = false;
        out += c;
    }
    return out;
}

// "<file>:<line>: <Csound's error>" from what Csound printed: the text from its first "error:" up to
// the closing "Parsing failed" / "Stopping" lines, and the line number it names.
std::string describe_failure(const std::string& printed, const std::string& file_name, const char* stage) {
    std::size_t from = printed.find("error:");
    if (from == std::string::npos) from = printed.find("ERROR");
    std::string message = from == std::string::npos ? std::string() : printed.substr(from);
    for (const char* tail : {"Parsing failed", "Stopping on parser failure", "Csound tidy up"})
        if (const std::size_t at = message.find(tail); at != std::string::npos && at > 0) message.resize(at);
    message = collapse_whitespace(message);
    if (message.empty()) message = std::string("Csound could not ") + stage + " the orchestra";
    // Csound says "line 5:" for parse errors and "Line: 8" for type errors.
    for (const std::string marker : {"line ", "Line: "}) {
        for (std::size_t at = message.find(marker); at != std::string::npos;
             at = message.find(marker, at + 1)) {
            std::size_t digits = at + marker.size();
            std::size_t end = digits;
            while (end < message.size() && std::isdigit(static_cast<unsigned char>(message[end]))) ++end;
            if (end > digits) return file_name + ":" + message.substr(digits, end - digits) + ": " + message;
        }
    }
    return file_name + ": " + message;
}

CsoundChannel::Kind kind_of(int type) {
    switch (type & CSOUND_CHANNEL_TYPE_MASK) {
        case CSOUND_CONTROL_CHANNEL:
            return CsoundChannel::Kind::Control;
        case CSOUND_AUDIO_CHANNEL:
            return CsoundChannel::Kind::Audio;
        case CSOUND_STRING_CHANNEL:
            return CsoundChannel::Kind::String;
        default:
            return CsoundChannel::Kind::Other;
    }
}

std::vector<CsoundChannel> list_channels(CSOUND* csound) {
    std::vector<CsoundChannel> channels;
    controlChannelInfo_t* list = nullptr;
    const int count = csoundListChannels(csound, &list);
    for (int i = 0; i < count; ++i) {
        CsoundChannel c;
        c.name = list[i].name ? list[i].name : "";
        c.kind = kind_of(list[i].type);
        c.input = (list[i].type & CSOUND_INPUT_CHANNEL) != 0;
        c.output = (list[i].type & CSOUND_OUTPUT_CHANNEL) != 0;
        c.default_value = list[i].hints.dflt;
        c.minimum = list[i].hints.min;
        c.maximum = list[i].hints.max;
        channels.push_back(std::move(c));
    }
    if (list) csoundDeleteChannelList(csound, list);
    return channels;
}

// Csound's global library state is set up once, without its signal handlers and atexit hooks
// (tactusd has its own).
void initialize_csound_once() {
    static std::once_flag once;
    std::call_once(once, [] { csoundInitialize(CSOUNDINIT_NO_SIGNAL_HANDLER | CSOUNDINIT_NO_ATEXIT); });
}

}  // namespace

std::optional<CsoundSource> csound_source_of(const std::string& file_text, const std::string& file_name,
                                             std::string* error) {
    const bool csd = file_name.size() >= 4 && file_name.compare(file_name.size() - 4, 4, ".csd") == 0;
    if (!csd) return CsoundSource{file_text, 1};
    const std::size_t open = file_text.find("<CsInstruments>");
    const std::size_t close = file_text.find("</CsInstruments>");
    if (open == std::string::npos || close == std::string::npos || close < open) {
        if (error) *error = file_name + ": no <CsInstruments> section";
        return std::nullopt;
    }
    const std::size_t begin = open + std::string("<CsInstruments>").size();
    CsoundSource source;
    source.orchestra = file_text.substr(begin, close - begin);
    source.first_line = 1 + static_cast<int>(std::count(file_text.begin(), file_text.begin() + begin, '\n'));
    return source;
}

CsoundOrchestra::~CsoundOrchestra() {
    if (csound_) csoundDestroy(csound_);
}

std::unique_ptr<CsoundOrchestra> CsoundOrchestra::load(const std::string& path, double sample_rate,
                                                       std::string* error,
                                                       const CsoundPermissions& permissions) {
    const FileReadResult file = read_regular_file(path);
    if (!file.bytes) {
        if (error) *error = path + ": " + file.error;
        return nullptr;
    }
    const auto source = csound_source_of(*file.bytes, path, error);
    if (!source) return nullptr;
    return compile(*source, path, sample_rate, error, permissions);
}

std::unique_ptr<CsoundOrchestra> CsoundOrchestra::compile(const CsoundSource& source,
                                                          const std::string& file_name, double sample_rate,
                                                          std::string* error,
                                                          const CsoundPermissions& permissions) {
    initialize_csound_once();
    LoadMessages messages;
    std::unique_ptr<CsoundOrchestra> orchestra(new CsoundOrchestra());
    orchestra->csound_ = csoundCreate(&messages);
    CSOUND* csound = orchestra->csound_;
    if (!csound) {
        if (error) *error = file_name + ": Csound could not create an instance";
        return nullptr;
    }
    csoundSetMessageStringCallback(csound, collect_message);
    for (const char* option : kOptions) csoundSetOption(csound, option);
    // The engine's rate wins over the orchestra's `sr`; ksmps stays the orchestra's.
    const std::string rate = "--sample-rate=" + std::to_string(static_cast<long>(sample_rate));
    csoundSetOption(csound, rate.c_str());
    csoundSetHostImplementedAudioIO(csound, 1, 0);
    csoundSetHostImplementedMIDIIO(csound, 1);
    // Blank lines in front, so that the lines Csound names are the lines of the file (a .csd's
    // orchestra starts further down).
    const std::string text =
        std::string(static_cast<std::size_t>(source.first_line - 1), '\n') + source.orchestra;
    // The policy vets the text before Csound reads it (#include) and the compiled calls before anything
    // runs: compiling runs nothing, not even the global code, until csoundStart.
    const auto refused = [&](const std::vector<CsoundRefusal>& refusals) {
        if (refusals.empty()) return false;
        if (error) *error = describe_csound_refusal(refusals.front(), file_name);
        return true;
    };
    if (refused(csound_text_refusals(text, permissions))) return nullptr;
    if (csoundCompileOrc(csound, text.c_str()) != 0) {
        if (error) *error = describe_failure(messages.text, file_name, "compile");
        return nullptr;
    }
    if (refused(csound_call_refusals(csound_compiled_opcode_calls(csound), text, permissions)))
        return nullptr;
    if (csoundStart(csound) != 0) {
        if (error) *error = describe_failure(messages.text, file_name, "start");
        return nullptr;
    }
    orchestra->ksmps_ = static_cast<int>(csoundGetKsmps(csound));
    orchestra->output_channels_ = static_cast<int>(csoundGetNchnls(csound));
    orchestra->sample_rate_ = csoundGetSr(csound);
    orchestra->channels_ = list_channels(csound);
    orchestra->instrument_text_ = source.orchestra;
    csoundSetHostData(csound, nullptr);  // `messages` ends here: later printing is the instrument's
    return orchestra;
}

std::optional<int> CsoundOrchestra::instrument_number(const std::string& name_or_number) const {
    int number = 0;
    const char* first = name_or_number.data();
    const char* last = first + name_or_number.size();
    if (auto [end, ec] = std::from_chars(first, last, number); ec == std::errc() && end == last) {
        // Csound has no call that lists numbered instruments: the orchestra's `instr` lines say.
        std::size_t line_start = 0;
        while (line_start < instrument_text_.size()) {
            std::size_t line_end = instrument_text_.find('\n', line_start);
            if (line_end == std::string::npos) line_end = instrument_text_.size();
            std::string line = instrument_text_.substr(line_start, line_end - line_start);
            line_start = line_end + 1;
            line = line.substr(0, line.find(';'));  // a comment
            const std::size_t indent = line.find_first_not_of(" \t");
            if (indent == std::string::npos || line.compare(indent, 5, "instr") != 0 ||
                line.size() <= indent + 5 || (line[indent + 5] != ' ' && line[indent + 5] != '\t'))
                continue;
            std::size_t start = indent + 5;
            while (start <= line.size()) {
                const std::size_t comma = std::min(line.find(',', start), line.size());
                const std::string item = collapse_whitespace(line.substr(start, comma - start));
                int listed = 0;
                const char* b = item.data();
                if (auto [e, err] = std::from_chars(b, b + item.size(), listed);
                    err == std::errc() && e == b + item.size() && listed == number && number > 0)
                    return number;
                start = comma + 1;
            }
        }
        return std::nullopt;
    }
    for (char c : name_or_number)
        if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_') return std::nullopt;
    const MYFLT found = csoundEvalCode(csound_, ("return nstrnum(\"" + name_or_number + "\")").c_str());
    if (!(found > 0)) return std::nullopt;
    return static_cast<int>(found);
}

}  // namespace tactus
