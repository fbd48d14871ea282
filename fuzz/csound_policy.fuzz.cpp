// libFuzzer target: the text side of the Csound orchestra policy (src/engine/csound/
// csound_orchestra_policy.h), with oracles. Csound itself is not run: what is fuzzed is the policy's own
// reading of orchestra text, the #include scan and the line correction, and its verdicts on calls.
//
// The input is orchestra text. Oracles:
//   - csound_text_refusals: every refusal's line is a line of the text, in order; the text holds
//     "#include" exactly when there is a refusal at the line of its first occurrence (a text without
//     '#' has none); with files allowed there are none;
//   - csound_source_line, for each word of the text as the name and a reported line taken from the
//     input: the answer is the reported line, or a line within 3 of it that holds the name;
//   - csound_call_refusals, with the text's words as opcode names and the following words as their
//     arguments: one refusal at most per call, each at a line of the text or the reported one, none
//     when everything is allowed except for exitnow.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "engine/csound/csound_orchestra_policy.h"

namespace {

using namespace tactus;

[[noreturn]] void die(const std::string& what) {
    std::fprintf(stderr, "csound_policy_fuzz: %s\n", what.c_str());
    std::abort();
}

int line_count(std::string_view text) {
    int lines = 1;
    for (char c : text)
        if (c == '\n') ++lines;
    return lines;
}

int line_at(std::string_view text, std::size_t offset) {
    int line = 1;
    for (std::size_t i = 0; i < offset && i < text.size(); ++i)
        if (text[i] == '\n') ++line;
    return line;
}

std::string_view line_text(std::string_view text, int line) {
    std::size_t begin = 0;
    for (int l = 1; l < line; ++l) {
        begin = text.find('\n', begin);
        if (begin == std::string_view::npos) return {};
        ++begin;
    }
    const std::size_t end = text.find('\n', begin);
    return text.substr(begin, end == std::string_view::npos ? std::string_view::npos : end - begin);
}

bool word_char(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

struct Word {
    std::string text;
    int line;
};

std::vector<Word> words_of(std::string_view text) {
    std::vector<Word> words;
    int line = 1;
    std::size_t i = 0;
    while (i < text.size()) {
        if (text[i] == '\n') ++line;
        if (!word_char(text[i])) {
            ++i;
            continue;
        }
        std::size_t end = i;
        while (end < text.size() && word_char(text[end])) ++end;
        words.push_back({std::string(text.substr(i, end - i)), line});
        i = end;
    }
    return words;
}

void check_text_refusals(std::string_view text) {
    const int lines = line_count(text);
    const auto refusals = csound_text_refusals(text, {});
    int previous = 1;
    for (const CsoundRefusal& r : refusals) {
        if (r.line < previous || r.line > lines) die("an #include refusal outside the text or out of order");
        previous = r.line;
    }
    const std::size_t include = text.find("#include");
    if (include != std::string_view::npos) {
        bool found = false;
        for (const CsoundRefusal& r : refusals) found = found || r.line == line_at(text, include);
        if (!found) die("#include at line " + std::to_string(line_at(text, include)) + " not refused");
    }
    if (text.find('#') == std::string_view::npos && !refusals.empty()) die("a refusal without any '#'");
    if (!csound_text_refusals(text, {.files = true}).empty()) die("#include refused with files allowed");
}

void check_source_lines(std::string_view text, const std::vector<Word>& words, std::uint8_t seed) {
    const int lines = line_count(text);
    for (std::size_t i = 0; i < words.size() && i < 64; ++i) {
        const int reported = words[i].line + static_cast<int>(seed % 9) - 4;
        const int line = csound_source_line(text, reported, words[i].text);
        if (line == reported) continue;
        if (line < 1 || line > lines || line < reported - 3 || line > reported + 3)
            die("corrected line " + std::to_string(line) + " is not near " + std::to_string(reported));
        if (line_text(text, line).find(words[i].text) == std::string_view::npos)
            die("corrected line " + std::to_string(line) + " does not hold '" + words[i].text + "'");
    }
}

void check_call_refusals(std::string_view text, const std::vector<Word>& words) {
    std::vector<CsoundOpcodeCall> calls;
    for (std::size_t i = 0; i < words.size() && calls.size() < 64; ++i) {
        CsoundOpcodeCall call;
        call.name = words[i].text;
        call.reported_line = words[i].line;
        for (std::size_t k = i + 1; k < words.size() && k <= i + 4; ++k)
            call.arguments.push_back(words[k].text);
        // Quoted, as Csound keeps string constants.
        if (!call.arguments.empty() && (words[i].line % 2) == 0)
            call.arguments[0] = '"' + call.arguments[0] + '"';
        calls.push_back(std::move(call));
    }
    const int lines = line_count(text);
    const auto refusals = csound_call_refusals(calls, text, {});
    if (refusals.size() > calls.size()) die("more refusals than calls");
    for (const CsoundRefusal& r : refusals)
        if (r.line < 1 || r.line > lines) die("a call refusal outside the text");
    for (const CsoundRefusal& r : csound_call_refusals(calls, text, CsoundPermissions::all()))
        if (r.message.find("'exitnow'") == std::string::npos)
            die("refused with everything allowed: " + r.message);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size > 64 * 1024) return 0;
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    check_text_refusals(text);
    const std::vector<Word> words = words_of(text);
    check_source_lines(text, words, size > 0 ? data[0] : 0);
    check_call_refusals(text, words);
    return 0;
}
