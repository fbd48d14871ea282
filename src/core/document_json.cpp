#include "core/document_json.h"

#include <algorithm>
#include <atomic>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <limits>
#include <map>
#include <memory>
#include <optional>
#include <stdexcept>
#include <thread>
#include <tuple>
#include <unordered_map>
#include <unordered_set>
#include <utility>

#include "core/atomic_file.h"
#include "core/file_read.h"
#include "core/general_midi_font.h"
#include "core/json_path.h"
#include "core/midi_convert.h"
#include "core/notes_text_scan.h"

namespace tactus {

namespace {

using nlohmann::json;
using nlohmann::ordered_json;

constexpr std::size_t kMaxQuotedChars = 40;     // of a string value shown in a message
constexpr std::size_t kMaxSyntaxMessage = 300;  // nlohmann quotes the last token read, which can be long

std::atomic<std::uint64_t> parsed_on_threads_count{0};  // documents the threaded parse delivered

// ---------------------------------------------------------------------------------------------
// Text helpers

// The shortest text that reads back as `x` ("0.1", "-100", "1000000", "1e+300").
std::string format_number(double x) {
    if (x == std::trunc(x) && std::fabs(x) < 1e15) return std::to_string(static_cast<std::int64_t>(x));
    char buffer[32];
    const auto result = std::to_chars(buffer, buffer + sizeof buffer, x);
    return std::string(buffer, result.ptr);
}

// Cuts `text` to at most `max` bytes without splitting a UTF-8 sequence, marking the cut with "...".
std::string truncate_utf8(std::string text, std::size_t max) {
    if (text.size() <= max) return text;
    std::size_t cut = max;
    while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
    text.resize(cut);
    return text + "...";
}

// `text` with every byte that is not part of a well-formed UTF-8 sequence replaced by U+FFFD, so
// that messages quoting broken input are themselves valid text.
std::string valid_utf8(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    std::size_t i = 0;
    while (i < text.size()) {
        const auto c = static_cast<unsigned char>(text[i]);
        std::size_t length = c < 0x80           ? 1
                             : (c >> 5) == 0x6  ? 2
                             : (c >> 4) == 0xE  ? 3
                             : (c >> 3) == 0x1E ? 4
                                                : 0;
        if (length == 0 || i + length > text.size()) length = 0;
        for (std::size_t k = 1; k < length; ++k)
            if ((static_cast<unsigned char>(text[i + k]) & 0xC0) != 0x80) length = 0;
        if (length == 0) {
            out += "\xEF\xBF\xBD";
            ++i;
        } else {
            out.append(text.substr(i, length));
            i += length;
        }
    }
    return out;
}

// Off while parsing for a client that must not see the file's contents (ContentInErrors::Withheld):
// messages then name a value's kind ("a string"), never the value. One parse per thread at a time.
thread_local bool t_quote_content = true;

struct ContentQuotingScope {
    explicit ContentQuotingScope(ContentInErrors content) : saved(t_quote_content) {
        t_quote_content = content == ContentInErrors::Quoted;
    }
    ~ContentQuotingScope() { t_quote_content = saved; }
    ContentQuotingScope(const ContentQuotingScope&) = delete;
    ContentQuotingScope& operator=(const ContentQuotingScope&) = delete;
    bool saved;
};

std::string json_quoted(const std::string& s) {
    if (!t_quote_content) return "(withheld)";
    return json(truncate_utf8(s, kMaxQuotedChars)).dump(-1, ' ', false, json::error_handler_t::replace);
}

// A JSON value as a message shows it after "got": numbers and literals as written, strings quoted,
// containers by kind only (they can be huge).
std::string describe(const json& v) {
    switch (v.type()) {
        case json::value_t::null:
            return "null";
        case json::value_t::boolean:
            return v.get<bool>() ? "true" : "false";
        case json::value_t::number_integer:
        case json::value_t::number_unsigned:
            if (!t_quote_content) return "a number";
            return v.dump();
        case json::value_t::number_float: {
            const double x = v.get<double>();
            if (std::isfinite(x)) return t_quote_content ? v.dump() : "a number";
            return x > 0 ? "a number too large to represent" : "a negative number too large to represent";
        }
        case json::value_t::string:
            if (!t_quote_content) return "a string";
            return "a string " + json_quoted(v.get_ref<const std::string&>());
        case json::value_t::array:
            return "an array";
        case json::value_t::object:
            return "an object";
        default:
            return "an unsupported value";
    }
}

// ---------------------------------------------------------------------------------------------
// Collecting problems

class Problems {
public:
    explicit Problems(std::string file) : file_(std::move(file)) {}

    void add(std::string path, std::string message, int line = 0, int column = 0) {
        if (full()) return;
        errors_.push_back(LoadError{file_, std::move(path), std::move(message), line, column});
    }
    bool full() const { return errors_.size() >= kMaxLoadErrors; }
    bool empty() const { return errors_.empty(); }
    std::size_t size() const { return errors_.size(); }
    const std::vector<LoadError>& list() const { return errors_; }

    std::vector<LoadError> take() {
        if (full()) {
            errors_.push_back(LoadError{
                file_, "",
                "stopped after " + std::to_string(kMaxLoadErrors) + " problems (there may be more)", 0, 0});
        }
        return std::move(errors_);
    }

private:
    std::string file_;
    std::vector<LoadError> errors_;
};

// ---------------------------------------------------------------------------------------------
// Parsing: nlohmann's DOM builder (a detail:: class, stable across 3.10..3.11), watched for duplicate
// keys, which JSON readers, nlohmann included, silently resolve by keeping the last one: a trap in a
// hand-edited file.

// One element of a track's "notes" array as the parser saw it, kept out of the JSON tree: a note's
// members (key and scalar value; a nested value as its own small tree), or, for an element that is
// not an object, the element itself.
struct CapturedElement {
    bool object = false;
    std::vector<std::pair<std::string, json>> members;  // in file order, duplicates included
    json value;                                         // when not an object

    // The element as the tree would have held it (a repeated key keeps its last value, as there).
    json tree() && {
        if (!object) return std::move(value);
        json obj = json::object();
        for (auto& [key, v] : members) obj[key] = std::move(v);
        return obj;
    }
};

// Where the parser hands each captured note element (see DuplicateKeyWatchingParser).
class NoteElementSink {
public:
    virtual ~NoteElementSink() = default;
    // A "notes" array of the track at index `track` of "tracks" starts (again, if the key is repeated).
    virtual void notes_begin(std::size_t track) = 0;
    virtual void note_element(std::size_t track, std::size_t index, CapturedElement& element) = 0;
};

class DuplicateKeyWatchingParser {
public:
    static constexpr int kNumberOverflow = 406;  // nlohmann's out_of_range.406: "number overflow parsing"

    // With `notes`, the elements of /tracks/*/notes go there instead of into the tree, one at a time:
    // a million notes as JSON trees would take most of a gigabyte.
    DuplicateKeyWatchingParser(json& root, Problems& problems, NoteElementSink* notes)
        : dom_(root, false), problems_(problems), notes_(notes) {}

    bool null() {
        return scalar(nullptr, [](auto& to) { return to.null(); });
    }
    bool boolean(bool v) {
        return scalar(v, [v](auto& to) { return to.boolean(v); });
    }
    bool number_integer(json::number_integer_t v) {
        return scalar(v, [v](auto& to) { return to.number_integer(v); });
    }
    bool number_unsigned(json::number_unsigned_t v) {
        return scalar(v, [v](auto& to) { return to.number_unsigned(v); });
    }
    bool number_float(json::number_float_t v, const json::string_t& s) {
        return scalar(v, [v, &s](auto& to) { return to.number_float(v, s); });
    }
    bool string(json::string_t& v) {
        return scalar(v, [&v](auto& to) { return to.string(v); });
    }
    bool binary(json::binary_t& v) { return element(), dom_.binary(v); }  // never in JSON text
    bool start_object(std::size_t n) { return start_container(false, n); }
    bool key(json::string_t& k) {
        Frame& frame = top();
        if (!frame.insert_key(k)) {
            // Keys are the file's own text: withheld, no path (the message says what, not where).
            problems_.add(t_quote_content ? json_path_append(current_path(), k) : std::string(),
                          "duplicate key " + json_quoted(k) + " in the same object (only one may be given)");
        }
        frame.last_key = k;
        if (capture_depth_ > 0) {
            if (sub_) return sub_->key(k);
            captured_.members.emplace_back(k, json());
            return true;
        }
        return dom_.key(k);
    }
    bool end_object() { return end_container(false); }
    bool start_array(std::size_t n) { return start_container(true, n); }
    bool end_array() { return end_container(true); }
    bool parse_error(std::size_t position, const std::string& last_token,
                     const nlohmann::detail::exception& e) {
        error_position_ = position;
        error_text_ = e.what();
        last_token_ = last_token;
        if (e.id == kNumberOverflow) {
            // A number such as 1e999 that a double cannot hold; name the member it was meant for.
            number_overflow_ = true;
            const Frame* f = depth_ == 0 ? nullptr : &top();
            if (f != nullptr)
                error_path_ = f->array ? json_path_append(current_path(), f->elements)
                                       : json_path_append(current_path(), f->last_key);
        }
        return false;
    }

    // nlohmann's message, and the byte offset in the text of what it refused.
    const std::string& error_text() const { return error_text_; }
    std::size_t error_offset() const {
        // nlohmann has read the offending byte (the end of input counting as one more), which is
        // the place to point at, except when the parser refused a whole string, number or literal
        // token (a forgotten comma, a number too large): then the token's start is. Only those
        // tokens are held alone in nlohmann's token string.
        const std::size_t end = error_position_ > 0 ? error_position_ - 1 : 0;
        const bool whole_token = number_overflow_ || (error_text_.find("unexpected ") != std::string::npos &&
                                                      error_text_.find(" literal;") != std::string::npos &&
                                                      error_text_.find("; last read: ") == std::string::npos);
        if (!whole_token) return end;
        return error_position_ - std::min(error_position_, last_token_.size());
    }
    // Set when the failure was a number too large for a double, with the number as written and
    // the JSON path of the value it was meant to be.
    bool number_overflow() const { return number_overflow_; }
    const std::string& last_token() const { return last_token_; }
    const std::string& error_path() const { return error_path_; }

private:
    using DomBuilder = nlohmann::detail::json_sax_dom_parser<json>;

    struct Frame {
        bool array = false;
        bool notes = false;        // the "notes" array of an element of the root's "tracks"
        std::size_t elements = 0;  // arrays: elements started so far
        std::string last_key;      // objects: the member being read
        std::vector<std::string> keys;
        std::unordered_set<std::string> key_set;  // used instead of `keys` once an object grows large

        // Frames are reused, depth after depth, so a million small objects allocate nothing here.
        void reset(bool is_array) {
            array = is_array;
            notes = false;
            elements = 0;
            last_key.clear();
            keys.clear();
            if (!key_set.empty()) key_set.clear();
        }
        bool insert_key(const std::string& k) {
            constexpr std::size_t kLinearLimit = 16;
            if (key_set.empty() && keys.size() < kLinearLimit) {
                for (const auto& seen : keys)
                    if (seen == k) return false;
                keys.push_back(k);
                return true;
            }
            if (key_set.empty()) key_set.insert(keys.begin(), keys.end());
            return key_set.insert(k).second;
        }
    };

    Frame& top() { return frames_[depth_ - 1]; }
    const Frame& top() const { return frames_[depth_ - 1]; }
    void push_frame(bool array) {
        if (depth_ == frames_.size()) frames_.emplace_back();
        frames_[depth_++].reset(array);
    }

    void element() {
        if (depth_ > 0 && top().array) ++top().elements;
    }

    // Whether the next value is an element of a track's notes: /tracks/<i>/notes/<j>.
    bool at_note_element() const { return notes_ != nullptr && depth_ == 4 && frames_[3].notes; }
    // Whether an array starting now is a track's notes: the root's "tracks", one of its objects, "notes".
    bool at_notes_array() const {
        return notes_ != nullptr && depth_ == 3 && !frames_[0].array && frames_[0].last_key == "tracks" &&
               frames_[1].array && !frames_[2].array && frames_[2].last_key == "notes";
    }

    template <class Value, class Forward>
    bool scalar(Value&& v, Forward&& forward) {
        const bool note_here = capture_depth_ == 0 && at_note_element();
        element();
        if (note_here) {
            captured_.object = false;
            captured_.value = json(std::forward<Value>(v));
            deliver();
            return true;
        }
        if (capture_depth_ > 0) {
            if (sub_) return forward(*sub_);
            captured_.members.back().second = json(std::forward<Value>(v));
            return true;
        }
        return forward(dom_);
    }

    bool start_container(bool array, std::size_t n) {
        const bool note_here = capture_depth_ == 0 && at_note_element();
        const bool notes_array = array && capture_depth_ == 0 && at_notes_array();
        element();
        push_frame(array);
        if (note_here) {
            capture_depth_ = 1;
            captured_.object = !array;
            captured_.members.clear();
            if (!array) return true;
            captured_.value = json();
            sub_.emplace(captured_.value, false);  // an array where a note belongs: kept whole
            return sub_->start_array(n);
        }
        if (capture_depth_ > 0) {
            ++capture_depth_;
            if (!sub_) sub_.emplace(captured_.members.back().second, false);  // a member's nested value
            return array ? sub_->start_array(n) : sub_->start_object(n);
        }
        if (notes_array) {
            top().notes = true;
            notes_->notes_begin(frames_[1].elements - 1);
        }
        return array ? dom_.start_array(n) : dom_.start_object(n);
    }

    bool end_container(bool array) {
        --depth_;
        if (capture_depth_ == 0) return array ? dom_.end_array() : dom_.end_object();
        --capture_depth_;
        bool ok = true;
        if (sub_) {
            ok = array ? sub_->end_array() : sub_->end_object();
            if (capture_depth_ == (captured_.object ? 1 : 0)) sub_.reset();  // the nested value is whole
        }
        if (capture_depth_ == 0) deliver();
        return ok;
    }

    void deliver() { notes_->note_element(frames_[1].elements - 1, frames_[3].elements - 1, captured_); }

    // Path of the innermost open container.
    std::string current_path() const {
        std::string path;
        for (std::size_t i = 0; i + 1 < depth_; ++i) {
            const Frame& f = frames_[i];
            path = f.array ? json_path_append(path, f.elements - 1) : json_path_append(path, f.last_key);
        }
        return path;
    }

    DomBuilder dom_;
    Problems& problems_;
    NoteElementSink* notes_ = nullptr;
    std::vector<Frame> frames_;  // frames_[0, depth_) are open
    std::size_t depth_ = 0;
    int capture_depth_ = 0;  // open containers of the note element being captured (0: none)
    CapturedElement captured_;
    std::optional<DomBuilder> sub_;  // building a nested value of the captured element
    std::size_t error_position_ = 0;
    std::string error_text_;
    bool number_overflow_ = false;
    std::string last_token_;
    std::string error_path_;
};

// 1-based line and column (in code points) of byte `offset` of `text`.
std::pair<int, int> line_and_column(std::string_view text, std::size_t offset) {
    offset = std::min(offset, text.size());
    int line = 1;
    int column = 1;
    for (std::size_t i = 0; i < offset; ++i) {
        const auto c = static_cast<unsigned char>(text[i]);
        if (c == '\n') {
            ++line;
            column = 1;
        } else if ((c & 0xC0) != 0x80) {
            ++column;
        }
    }
    return {line, column};
}

// nlohmann's what() without its "[json.exception.parse_error.101] parse error at line 1, column 2: "
// prefix (we compute the position ourselves, counting characters rather than bytes).
std::string syntax_error_detail(const std::string& what) {
    std::string_view detail = what;
    if (detail.substr(0, 1) == "[") {
        const auto close = detail.find("] ");
        if (close != std::string_view::npos) detail.remove_prefix(close + 2);
    }
    if (detail.substr(0, 11) == "parse error") {
        const auto colon = detail.find(": ");
        if (colon != std::string_view::npos) detail.remove_prefix(colon + 2);
    }
    // nlohmann ends with "; last read: '<the text it read>'": the file's own bytes.
    if (!t_quote_content) detail = detail.substr(0, detail.find("; last read: "));
    return truncate_utf8(valid_utf8(detail), kMaxSyntaxMessage);
}

// ---------------------------------------------------------------------------------------------
// Reading typed fields. Every reader reports what it refuses, with the path, the rule and the value
// found, and returns nullopt then; callers keep the default and go on, so all problems are listed.

struct Field {
    const json* value = nullptr;
    std::string path;
    explicit operator bool() const { return value != nullptr; }
};

class Reader {
public:
    explicit Reader(Problems& problems) : problems_(problems) {}

    Problems& problems() { return problems_; }

    void problem(const std::string& path, std::string message) { problems_.add(path, std::move(message)); }

    // Member `key` of the object `obj` at `at`; an empty Field when absent (a problem if `required`).
    Field field(const json& obj, const std::string& at, const char* key, bool required) {
        Field f{nullptr, json_path_append(at, key)};
        const auto it = obj.find(key);
        if (it != obj.end()) {
            f.value = &*it;
        } else if (required) {
            problem(f.path, "required field is missing");
        }
        return f;
    }

    bool is_object(const json& v, const std::string& path) {
        if (v.is_object()) return true;
        problem(path, "must be an object (got " + describe(v) + ")");
        return false;
    }

    const json* array(const Field& f) {
        if (f.value->is_array()) return f.value;
        problem(f.path, "must be an array (got " + describe(*f.value) + ")");
        return nullptr;
    }

    std::optional<double> number(const Field& f) {
        const json& v = *f.value;
        if (!v.is_number()) {
            problem(f.path, "must be a number (got " + describe(v) + ")");
            return std::nullopt;
        }
        const double x = v.get<double>();
        if (!std::isfinite(x)) {
            problem(f.path, "must be a finite number (got " + describe(v) + ")");
            return std::nullopt;
        }
        return x;
    }

    std::optional<double> number_within(const Field& f, double lo, double hi) {
        const auto x = number(f);
        if (!x) return std::nullopt;
        if (*x < lo || *x > hi) {
            problem(f.path, "must be within " + format_number(lo) + ".." + format_number(hi) + " (got " +
                                describe(*f.value) + ")");
            return std::nullopt;
        }
        return x;
    }

    // A position or duration in beats: 0..kMaxDocumentBeat.
    std::optional<double> beats(const Field& f) {
        const auto x = number(f);
        if (!x) return std::nullopt;
        if (*x < 0.0) {
            problem(f.path, "must be >= 0 (got " + describe(*f.value) + ")");
            return std::nullopt;
        }
        if (*x > kMaxDocumentBeat) {
            problem(f.path, "must be <= " + format_number(kMaxDocumentBeat) +
                                " (the largest beat a document may use; got " + describe(*f.value) + ")");
            return std::nullopt;
        }
        return x;
    }

    std::optional<std::int64_t> integer_within(const Field& f, std::int64_t lo, std::int64_t hi) {
        const json& v = *f.value;
        auto out_of_range = [&] {
            problem(f.path, "must be an integer within " + std::to_string(lo) + ".." + std::to_string(hi) +
                                " (got " + describe(v) + ")");
            return std::nullopt;
        };
        if (v.is_number_unsigned()) {
            const auto u = v.get<std::uint64_t>();
            if (hi < 0 || u > static_cast<std::uint64_t>(hi)) return out_of_range();
            const auto i = static_cast<std::int64_t>(u);
            if (i < lo) return out_of_range();
            return i;
        }
        if (v.is_number_integer()) {
            const auto i = v.get<std::int64_t>();
            if (i < lo || i > hi) return out_of_range();
            return i;
        }
        const auto x = whole_number(f);
        if (!x) return std::nullopt;
        if (*x < static_cast<double>(lo) || *x > static_cast<double>(hi)) return out_of_range();
        return static_cast<std::int64_t>(*x);
    }

    int int_within(const Field& f, int lo, int hi, int fallback) {
        const auto i = integer_within(f, lo, hi);
        return i ? static_cast<int>(*i) : fallback;
    }

    // A non-negative integer of 64 bits (ids, the revision); `positive` refuses 0.
    std::optional<std::uint64_t> unsigned_integer(const Field& f, bool positive) {
        const json& v = *f.value;
        const char* rule = positive ? "must be a positive integer" : "must be an integer >= 0";
        if (v.is_number_unsigned()) {
            const auto u = v.get<std::uint64_t>();
            if (positive && u == 0) {
                problem(f.path, std::string(rule) + " (got 0)");
                return std::nullopt;
            }
            return u;
        }
        if (v.is_number_integer()) {  // nlohmann keeps non-negative integers as unsigned: this is < 0
            problem(f.path, std::string(rule) + " (got " + describe(v) + ")");
            return std::nullopt;
        }
        const auto x = whole_number(f);
        if (!x) return std::nullopt;
        // Above 2^53 a double no longer holds every integer: the id written was not the id read.
        constexpr double kExact = 9007199254740992.0;
        if (*x < (positive ? 1.0 : 0.0) || *x > kExact) {
            problem(f.path, std::string(rule) + " (got " + describe(v) + ")");
            return std::nullopt;
        }
        return static_cast<std::uint64_t>(*x);
    }

    std::optional<std::string> text(const Field& f, bool non_empty) {
        const json& v = *f.value;
        if (!v.is_string() || (non_empty && v.get_ref<const std::string&>().empty())) {
            problem(f.path, std::string(non_empty ? "must be a non-empty string" : "must be a string") +
                                " (got " + describe(v) + ")");
            return std::nullopt;
        }
        return v.get<std::string>();
    }

    std::optional<bool> flag(const Field& f) {
        if (f.value->is_boolean()) return f.value->get<bool>();
        problem(f.path, "must be true or false (got " + describe(*f.value) + ")");
        return std::nullopt;
    }

private:
    // A number written with a fraction or exponent ("60.0", "6e1") that is nonetheless whole.
    std::optional<double> whole_number(const Field& f) {
        const json& v = *f.value;
        if (!v.is_number()) {
            problem(f.path, "must be an integer (got " + describe(v) + ")");
            return std::nullopt;
        }
        const double x = v.get<double>();
        if (!std::isfinite(x) || x != std::floor(x)) {
            problem(f.path, "must be an integer (got " + describe(v) + ")");
            return std::nullopt;
        }
        return x;
    }

    Problems& problems_;
};

// ---------------------------------------------------------------------------------------------
// The current version's schema (docs/document-format.md)

// Calls `each(element, path, index)` for each object in the array field `f` (other elements are
// reported), stopping once the problem list is full.
template <class Each>
void for_each_object(Reader& r, const Field& f, Each&& each) {
    const json* items = r.array(f);
    if (items == nullptr) return;
    for (std::size_t i = 0; i < items->size() && !r.problems().full(); ++i) {
        const json& item = (*items)[i];
        std::string path = json_path_append(f.path, i);
        if (r.is_object(item, path)) each(item, path, i);
    }
}

// A plugin's or orchestra's parameters: an object of numbers by name.
void read_parameters(Reader& r, const Field& f, std::map<std::string, double>& into) {
    if (!r.is_object(*f.value, f.path)) return;
    for (const auto& [name, value] : f.value->items())
        if (auto x = r.number(Field{&value, json_path_append(f.path, name)})) into[name] = *x;
}

void read_tempo(Reader& r, const Field& f, Document& doc) {
    if (f.value->is_array() && f.value->empty()) {
        r.problem(f.path, "must contain at least one tempo point (the first at beat 0)");
        return;
    }
    const std::size_t problems_before = r.problems().size();
    std::vector<TempoPoint> points;
    bool complete = true;  // every point read, so from_points has the whole map
    for_each_object(r, f, [&](const json& obj, const std::string& at, std::size_t i) {
        TempoPoint p;
        bool has_beat = false;
        bool has_bpm = false;
        const auto beat_field = r.field(obj, at, "beat", true);
        if (beat_field) {
            if (auto b = r.beats(beat_field)) {
                p.beat = *b;
                has_beat = true;
            }
        }
        if (auto bpm_field = r.field(obj, at, "bpm", true)) {
            if (auto b = r.number_within(bpm_field, TempoMap::kMinBpm, TempoMap::kMaxBpm)) {
                p.bpm = *b;
                has_bpm = true;
            }
        }
        if (auto ramp = r.field(obj, at, "ramp", false))
            if (auto b = r.flag(ramp)) p.ramp = *b;
        const bool previous_read = points.size() == i;  // every earlier point was read
        if (has_beat) {
            if (i == 0 && p.beat != 0.0) {
                r.problem(beat_field.path, "the first tempo point must be at beat 0 (got " +
                                               describe(*beat_field.value) + ")");
            } else if (i > 0 && previous_read && !(p.beat > points.back().beat)) {
                r.problem(beat_field.path, "must be greater than the previous point's beat " +
                                               format_number(points.back().beat) + " (got " +
                                               describe(*beat_field.value) + ")");
            }
        }
        if (has_beat && has_bpm && previous_read) {
            points.push_back(p);
        } else {
            complete = false;
        }
    });
    if (!f.value->is_array()) return;
    const json& last = f.value->back();
    if (last.is_object() && last.contains("ramp") && last["ramp"] == true) {
        r.problem(json_path_append(json_path_append(f.path, f.value->size() - 1), "ramp"),
                  "the last tempo point cannot ramp (there is no later point to ramp to)");
    }
    if (r.problems().size() != problems_before || !complete) return;
    // TempoMap has the last word: whatever it refuses, the document refuses, at the path it names.
    std::string error;
    if (auto map = TempoMap::from_points(std::move(points), &error)) {
        doc.tempo = std::move(*map);
    } else {
        r.problem(detail::tempo_error_path(error), error);
    }
}

void read_meter(Reader& r, const Field& f, Document& doc) {
    if (f.value->is_array() && f.value->empty()) {
        r.problem(f.path, "must contain at least one entry (the first at bar 0)");
        return;
    }
    std::vector<TimeSignature> meter;
    for_each_object(r, f, [&](const json& obj, const std::string& at, std::size_t i) {
        TimeSignature sig;
        if (auto bar = r.field(obj, at, "bar", true)) {
            if (auto b = r.integer_within(bar, 0, static_cast<std::int64_t>(kMaxDocumentBeat))) {
                sig.bar = static_cast<int>(*b);
                if (i == 0 && sig.bar != 0) {
                    r.problem(bar.path,
                              "the first meter entry must be at bar 0 (got " + describe(*bar.value) + ")");
                } else if (i > 0 && !meter.empty() && !(sig.bar > meter.back().bar)) {
                    r.problem(bar.path, "must be greater than the previous entry's bar " +
                                            std::to_string(meter.back().bar) + " (got " +
                                            describe(*bar.value) + ")");
                }
            }
        }
        if (auto num = r.field(obj, at, "numerator", true))
            sig.numerator = r.int_within(num, 1, 64, sig.numerator);
        if (auto den = r.field(obj, at, "denominator", true)) {
            if (auto d = r.integer_within(den, 1, 64)) {
                if ((*d & (*d - 1)) == 0) {
                    sig.denominator = static_cast<int>(*d);
                } else {
                    r.problem(den.path,
                              "must be a power of two within 1..64 (got " + describe(*den.value) + ")");
                }
            }
        }
        meter.push_back(sig);
    });
    if (f.value->is_array() && !meter.empty()) doc.meter = std::move(meter);
}

void read_markers(Reader& r, const Field& f, Document& doc) {
    for_each_object(r, f, [&](const json& obj, const std::string& at, std::size_t) {
        Marker m;
        if (auto beat = r.field(obj, at, "beat", true))
            if (auto b = r.beats(beat)) m.beat = *b;
        if (auto name = r.field(obj, at, "name", false))
            if (auto s = r.text(name, false)) m.name = std::move(*s);
        doc.markers.push_back(std::move(m));
    });
}

ControllerEvent read_controller(Reader& r, const json& obj, const std::string& at) {
    ControllerEvent c;
    if (auto beat = r.field(obj, at, "beat", true))
        if (auto b = r.beats(beat)) c.beat = *b;
    std::optional<ControllerKind> kind;
    if (auto kind_field = r.field(obj, at, "kind", true)) {
        const json& v = *kind_field.value;
        if (v.is_string()) kind = controller_kind_from_name(v.get_ref<const std::string&>());
        if (kind) {
            c.kind = *kind;
        } else {
            r.problem(
                kind_field.path,
                "must be one of \"cc\", \"pitch_bend\", \"program\", \"pressure\" (got " + describe(v) + ")");
        }
    }
    // The number is the controller (cc) or the program (program); pitch bend and pressure have none.
    const bool needs_number = kind == ControllerKind::ControlChange || kind == ControllerKind::ProgramChange;
    if (auto number = r.field(obj, at, "number", needs_number))
        c.number = r.int_within(number, 0, 127, c.number);
    // A program change carries no value.
    const bool needs_value = kind && kind != ControllerKind::ProgramChange;
    if (auto value = r.field(obj, at, "value", needs_value)) {
        if (kind == ControllerKind::PitchBend) {
            if (auto x = r.number_within(value, -1.0, 1.0)) c.value = *x;
        } else if (kind) {
            if (auto x = r.number_within(value, 0.0, 127.0)) c.value = *x;
        } else {
            r.number(value);  // still report a wrong type
        }
    }
    return c;
}

// Where an id was first seen, to name it when it is used again.
struct IdOwner {
    std::size_t track = 0;
    std::size_t note = 0;
};

void read_inserts(Reader& r, const Field& f, std::vector<Insert>& into) {
    for_each_object(r, f, [&](const json& i, const std::string& insert_at, std::size_t) {
        Insert insert;
        if (auto plugin = r.field(i, insert_at, "plugin", true))
            if (auto s = r.text(plugin, false)) insert.plugin = std::move(*s);
        if (auto parameters = r.field(i, insert_at, "parameters", false))
            read_parameters(r, parameters, insert.parameters);
        if (auto bypass = r.field(i, insert_at, "bypass", false))
            if (auto b = r.flag(bypass)) insert.bypass = *b;
        if (auto state = r.field(i, insert_at, "state", false))
            if (auto s = r.text(state, true)) insert.state = std::move(*s);
        into.push_back(std::move(insert));
    });
}

// A track's or a bus's level, pan, mute and solo.
template <class Strip>
void read_strip(Reader& r, const json& obj, const std::string& at, Strip& strip) {
    if (auto level = r.field(obj, at, "level", false))
        if (auto x = r.number_within(level, 0.0, 4.0)) strip.level = *x;
    if (auto pan = r.field(obj, at, "pan", false))
        if (auto x = r.number_within(pan, -1.0, 1.0)) strip.pan = *x;
    if (auto mute = r.field(obj, at, "mute", false))
        if (auto b = r.flag(mute)) strip.mute = *b;
    if (auto solo = r.field(obj, at, "solo", false))
        if (auto b = r.flag(solo)) strip.solo = *b;
}

std::string describe_ids(const std::unordered_map<BusId, std::size_t>& ids) {
    std::vector<BusId> sorted;
    for (const auto& [id, at] : ids) sorted.push_back(id);
    std::sort(sorted.begin(), sorted.end());
    std::string out;
    for (BusId id : sorted) out += (out.empty() ? "" : ", ") + std::to_string(id);
    return out;
}

// The buses, by id: read before the tracks, whose sends name them.
std::unordered_map<BusId, std::size_t> read_buses(Reader& r, const Field& f, Document& doc) {
    std::unordered_map<BusId, std::size_t> ids;
    for_each_object(r, f, [&](const json& obj, const std::string& at, std::size_t index) {
        Bus b;
        if (auto id = r.field(obj, at, "id", true)) {
            if (auto v = r.unsigned_integer(id, true)) {
                b.id = *v;
                const auto [it, inserted] = ids.try_emplace(*v, index);
                if (!inserted)
                    r.problem(id.path, "duplicate bus id " + std::to_string(*v) + " (already used by " +
                                           json_path_append(f.path, it->second) + ")");
            }
        }
        if (auto name = r.field(obj, at, "name", false))
            if (auto s = r.text(name, false)) b.name = std::move(*s);
        if (auto inserts = r.field(obj, at, "inserts", false)) read_inserts(r, inserts, b.inserts);
        read_strip(r, obj, at, b);
        doc.buses.push_back(std::move(b));
    });
    return ids;
}

using NoteIds = std::unordered_map<NoteId, IdOwner>;

// A note of the track at `owner.track` of `tracks_path`, element `owner.note` of its notes, at
// `note_at`; every problem is reported and a default kept in its place.
Note read_note(Reader& r, const json& n, const std::string& note_at, const std::string& tracks_path,
               IdOwner owner, NoteIds& note_ids) {
    Note note;
    if (auto id = r.field(n, note_at, "id", true)) {
        if (auto v = r.unsigned_integer(id, true)) {
            note.id = *v;
            const auto [it, inserted] = note_ids.try_emplace(*v, owner);
            if (!inserted) {
                const std::string first = json_path_append(
                    json_path_append(
                        json_path_append(json_path_append(tracks_path, it->second.track), "notes"),
                        it->second.note),
                    "id");
                r.problem(id.path, "duplicate note id " + std::to_string(*v) +
                                       " (note ids are unique within the document; already used at " + first +
                                       ")");
            }
        }
    }
    if (auto start = r.field(n, note_at, "start", true))
        if (auto x = r.beats(start)) note.start = *x;
    if (auto length = r.field(n, note_at, "length", true))
        if (auto x = r.beats(length)) note.length = *x;
    if (auto pitch = r.field(n, note_at, "pitch", true)) note.pitch = r.int_within(pitch, 0, 127, note.pitch);
    if (auto cents = r.field(n, note_at, "cents", false))
        if (auto x = r.number_within(cents, -100.0, 100.0)) note.cents = *x;
    if (auto velocity = r.field(n, note_at, "velocity", false))
        note.velocity = r.int_within(velocity, 1, 127, note.velocity);
    return note;
}

// A note whose members all hold what read_note takes without a word (plain integers where it wants
// integers), read without building paths or a tree; nullopt for anything else, which read_note then
// reads and reports. Members it does not know are ignored, as read_note ignores them.
std::optional<Note> plain_note(const CapturedElement& e) {
    if (!e.object) return std::nullopt;
    Note note;
    unsigned required = 0;  // id, start, length, pitch
    const auto beats = [](const json& v, double& into) {
        if (!v.is_number()) return false;
        into = v.get<double>();
        return into >= 0.0 && into <= kMaxDocumentBeat;  // (false for NaN; JSON text has no infinities)
    };
    for (const auto& [key, v] : e.members) {
        if (key == "id") {
            if (!v.is_number_unsigned() || v.get<std::uint64_t>() == 0) return std::nullopt;
            note.id = v.get<std::uint64_t>();
            required |= 1;
        } else if (key == "start") {
            if (!beats(v, note.start)) return std::nullopt;
            required |= 2;
        } else if (key == "length") {
            if (!beats(v, note.length)) return std::nullopt;
            required |= 4;
        } else if (key == "pitch") {
            if (!v.is_number_unsigned() || v.get<std::uint64_t>() > 127) return std::nullopt;
            note.pitch = static_cast<int>(v.get<std::uint64_t>());
            required |= 8;
        } else if (key == "cents") {
            if (!v.is_number()) return std::nullopt;
            note.cents = v.get<double>();
            if (!(note.cents >= -100.0 && note.cents <= 100.0)) return std::nullopt;
        } else if (key == "velocity") {
            if (!v.is_number_unsigned() || v.get<std::uint64_t>() < 1 || v.get<std::uint64_t>() > 127)
                return std::nullopt;
            note.velocity = static_cast<int>(v.get<std::uint64_t>());
        }
    }
    if (required != 15) return std::nullopt;
    return note;
}

// The notes of every track, read element by element while the parser runs (NoteElementSink), so the
// JSON tree never holds them. read_tracks takes each track's notes, and the problems found in them,
// where it would have read them from the tree: the list of problems comes out in the same order.
class StreamedNotes final : public NoteElementSink {
public:
    explicit StreamedNotes(std::string file) : file_(std::move(file)) {}

    void notes_begin(std::size_t track) override {
        if (track >= tracks_.size()) tracks_.resize(track + 1);
        tracks_[track] = TrackNotes{};
    }

    void note_element(std::size_t track, std::size_t index, CapturedElement& element) override {
        TrackNotes& t = tracks_[track];
        if (auto note = plain_note(element);
            note && ids_.try_emplace(note->id, IdOwner{track, index}).second) {
            t.notes.push_back(*note);
            return;
        }
        // Something to report (or a repeated id): the tree of this one element, through the Reader.
        if (!t.problems) t.problems = std::make_unique<Problems>(file_);
        if (t.problems->full()) return;
        Reader r(*t.problems);
        const std::string tracks_path = json_path_append("", "tracks");
        const std::string at =
            json_path_append(json_path_append(json_path_append(tracks_path, track), "notes"), index);
        const json tree = std::move(element).tree();
        if (r.is_object(tree, at))
            t.notes.push_back(read_note(r, tree, at, tracks_path, {track, index}, ids_));
    }

    // Notes parsed elsewhere (the pieces of a text parsed on several threads), appended to the track's.
    void adopt(std::size_t track, std::vector<Note> notes) {
        if (track >= tracks_.size()) tracks_.resize(track + 1);
        std::vector<Note>& into = tracks_[track].notes;
        if (into.empty()) {
            into = std::move(notes);
        } else {
            into.insert(into.end(), notes.begin(), notes.end());
        }
    }
    // Whether any note or problem was streamed here.
    bool holds_notes() const {
        for (const TrackNotes& t : tracks_)
            if (!t.notes.empty() || t.problems) return true;
        return false;
    }

    // Moves the notes of the track at `track` into `into` and reports their problems through `r`.
    void take(std::size_t track, Reader& r, std::vector<Note>& into) {
        if (track >= tracks_.size()) return;
        TrackNotes& t = tracks_[track];
        into = std::move(t.notes);
        into.shrink_to_fit();
        if (t.problems)
            for (const LoadError& e : t.problems->list()) r.problem(e.json_path, e.message);
        t = TrackNotes{};
    }

private:
    struct TrackNotes {
        std::vector<Note> notes;
        std::unique_ptr<Problems> problems;  // only where there are some
    };
    std::string file_;
    std::vector<TrackNotes> tracks_;
    NoteIds ids_;
};

void read_tracks(Reader& r, const Field& f, Document& doc,
                 const std::unordered_map<BusId, std::size_t>& bus_ids, StreamedNotes& notes_read) {
    std::unordered_map<TrackId, std::size_t> track_ids;
    for_each_object(r, f, [&](const json& obj, const std::string& at, std::size_t track_index) {
        Track t;
        if (auto id = r.field(obj, at, "id", true)) {
            if (auto v = r.unsigned_integer(id, true)) {
                t.id = *v;
                const auto [it, inserted] = track_ids.try_emplace(*v, track_index);
                if (!inserted) {
                    r.problem(id.path, "duplicate track id " + std::to_string(*v) + " (already used by " +
                                           json_path_append(f.path, it->second) + ")");
                }
            }
        }
        if (auto name = r.field(obj, at, "name", false))
            if (auto s = r.text(name, false)) t.name = std::move(*s);
        if (auto instrument = r.field(obj, at, "instrument", false))
            if (auto s = r.text(instrument, true)) t.instrument = std::move(*s);
        if (auto preset = r.field(obj, at, "preset", false))
            if (auto s = r.text(preset, true)) t.preset = std::move(*s);
        read_strip(r, obj, at, t);
        if (auto channel = r.field(obj, at, "midi_channel", false))
            t.midi_channel = r.int_within(channel, 1, 16, t.midi_channel);
        if (auto orchestra = r.field(obj, at, "orchestra", false))
            if (auto s = r.text(orchestra, true)) t.orchestra = std::move(*s);
        if (auto instr = r.field(obj, at, "csound_instrument", false)) {
            // A number (3, or "3") or a name ("Bell"): kept as text, as Csound's score names it.
            if (instr.value->is_number()) {
                if (auto n = r.unsigned_integer(instr, true)) t.csound_instrument = std::to_string(*n);
            } else if (auto s = r.text(instr, true)) {
                t.csound_instrument = std::move(*s);
            }
        }
        if (auto soundfont = r.field(obj, at, "soundfont", false))
            if (auto s = r.text(soundfont, true)) t.soundfont = std::move(*s);
        if (auto bank = r.field(obj, at, "bank", false)) t.bank = r.int_within(bank, 0, 16383, t.bank);
        if (auto program = r.field(obj, at, "program", false))
            t.program = r.int_within(program, 0, 127, t.program);
        if (auto drums = r.field(obj, at, "drums", false))
            if (auto b = r.flag(drums)) t.drums = *b;
        if (auto plugin = r.field(obj, at, "plugin", false))
            if (auto s = r.text(plugin, true)) t.plugin = std::move(*s);
        if (auto state = r.field(obj, at, "plugin_state", false))
            if (auto s = r.text(state, true)) t.plugin_state = std::move(*s);
        if (auto parameters = r.field(obj, at, "parameters", false))
            read_parameters(r, parameters, t.parameters);
        if (auto inserts = r.field(obj, at, "inserts", false)) read_inserts(r, inserts, t.inserts);
        if (auto sends = r.field(obj, at, "sends", false)) {
            for_each_object(r, sends, [&](const json& o, const std::string& send_at, std::size_t) {
                Send send;
                if (auto bus = r.field(o, send_at, "bus", true)) {
                    if (auto v = r.unsigned_integer(bus, true)) {
                        send.bus = *v;
                        if (!bus_ids.count(*v))
                            r.problem(bus.path,
                                      "no bus with id " + std::to_string(*v) + " (the document's buses: " +
                                          (bus_ids.empty() ? std::string("none") : describe_ids(bus_ids)) +
                                          ")");
                        for (const Send& earlier : t.sends)
                            if (earlier.bus == *v)
                                r.problem(bus.path, "the track already sends to bus " + std::to_string(*v));
                    }
                }
                if (auto level = r.field(o, send_at, "level", false))
                    if (auto x = r.number_within(level, 0.0, 4.0)) send.level = *x;
                if (auto pre = r.field(o, send_at, "pre_fader", false))
                    if (auto b = r.flag(pre)) send.pre_fader = *b;
                t.sends.push_back(send);
            });
        }
        // The notes were read while parsing (StreamedNotes): the tree holds an empty array in their place.
        if (auto notes = r.field(obj, at, "notes", false))
            if (r.array(notes)) notes_read.take(track_index, r, t.notes);
        if (auto controllers = r.field(obj, at, "controllers", false)) {
            for_each_object(r, controllers, [&](const json& c, const std::string& c_at, std::size_t) {
                t.controllers.push_back(read_controller(r, c, c_at));
            });
        }
        doc.tracks.push_back(std::move(t));
    });
}

// The document's lanes, after its tracks and buses (whose ids they name): kept in the editor's order,
// by target, with each lane's points sorted by beat (stable: points on one beat keep their order).
void read_automation(Reader& r, const Field& f, Document& doc) {
    std::unordered_map<TrackId, std::size_t> track_ids;
    std::unordered_map<BusId, std::size_t> bus_ids;
    for (std::size_t i = 0; i < doc.tracks.size(); ++i)
        if (doc.tracks[i].id != 0) track_ids.try_emplace(doc.tracks[i].id, i);
    for (std::size_t i = 0; i < doc.buses.size(); ++i)
        if (doc.buses[i].id != 0) bus_ids.try_emplace(doc.buses[i].id, i);
    const auto listed = [](const std::unordered_map<std::uint64_t, std::size_t>& ids) {
        return ids.empty() ? std::string("none") : describe_ids(ids);
    };
    // Each target read whole, with its lane's path.
    std::map<std::tuple<AutomationOwner, std::uint64_t, std::string>, std::string> seen;
    for_each_object(r, f, [&](const json& obj, const std::string& at, std::size_t) {
        AutomationLane lane;
        bool complete = true;  // owner, id and control all read: the target is known
        std::optional<AutomationOwner> owner;
        if (auto owner_field = r.field(obj, at, "owner", true)) {
            const json& v = *owner_field.value;
            if (v.is_string()) owner = automation_owner_from_name(v.get_ref<const std::string&>());
            if (owner) {
                lane.target.owner = *owner;
            } else {
                r.problem(owner_field.path,
                          "must be \"track\", \"bus\" or \"master\" (got " + describe(v) + ")");
            }
        }
        complete = complete && owner.has_value();
        if (auto id = r.field(obj, at, "id", true)) {
            if (auto v = r.unsigned_integer(id, true)) {
                lane.target.id = *v;
                if (owner == AutomationOwner::Track && !track_ids.count(*v)) {
                    r.problem(id.path, "no track with id " + std::to_string(*v) +
                                           " (the document's tracks: " + listed(track_ids) + ")");
                    complete = false;
                } else if (owner == AutomationOwner::Master && *v != 0) {
                    r.problem(id.path, "the master's id is 0 (got " + std::to_string(*v) + ")");
                    complete = false;
                } else if (owner == AutomationOwner::Bus && !bus_ids.count(*v)) {
                    r.problem(id.path, "no bus with id " + std::to_string(*v) +
                                           " (the document's buses: " + listed(bus_ids) + ")");
                    complete = false;
                }
            } else {
                complete = false;
            }
        } else {
            complete = false;
        }
        std::optional<ParsedControl> control;
        if (auto control_field = r.field(obj, at, "control", true)) {
            if (auto text = r.text(control_field, false)) {
                lane.target.control = std::move(*text);
                if (owner) {
                    std::string error;
                    control = parse_automated_control(*owner, lane.target.control, &error);
                    if (!control) {
                        r.problem(control_field.path, error);
                    } else if (control->control == AutomatedControl::SendLevel &&
                               !bus_ids.count(control->bus)) {
                        r.problem(control_field.path, "no bus with id " + std::to_string(control->bus) +
                                                          " (the document's buses: " + listed(bus_ids) + ")");
                    }
                }
            }
        }
        complete = complete && control.has_value();
        if (auto points = r.field(obj, at, "points", true)) {
            if (points.value->is_array() && points.value->empty())
                r.problem(points.path, "must contain at least one point (a lane without points is left out)");
            for_each_object(r, points, [&](const json& p, const std::string& point_at, std::size_t) {
                AutomationPoint point;
                if (auto beat = r.field(p, point_at, "beat", true))
                    if (auto b = r.beats(beat)) point.beat = *b;
                if (auto value = r.field(p, point_at, "value", true)) {
                    if (control) {
                        double low = 0.0, high = 0.0;
                        automated_control_range(control->control, &low, &high);
                        if (auto x = r.number_within(value, low, high)) point.value = *x;
                    } else if (auto x = r.number(value)) {  // still report a wrong type
                        point.value = *x;
                    }
                }
                if (auto shape = r.field(p, point_at, "shape", false)) {
                    const json& v = *shape.value;
                    std::optional<AutomationShape> parsed;
                    if (v.is_string()) parsed = automation_shape_from_name(v.get_ref<const std::string&>());
                    if (parsed) {
                        point.shape = *parsed;
                    } else {
                        r.problem(shape.path, "must be one of \"hold\", \"linear\", \"smooth\" (got " +
                                                  describe(v) + ")");
                    }
                }
                lane.points.push_back(point);
            });
        }
        if (complete) {
            const AutomationTarget& t = lane.target;
            const auto [first, inserted] = seen.try_emplace({t.owner, t.id, t.control}, at);
            if (!inserted)
                r.problem(at, std::string("a second lane for ") + automation_owner_name(t.owner) + " " +
                                  std::to_string(t.id) + "'s \"" + t.control +
                                  "\" (one lane per target; the first is " + first->second + ")");
        }
        std::stable_sort(lane.points.begin(), lane.points.end(),
                         [](const AutomationPoint& a, const AutomationPoint& b) { return a.beat < b.beat; });
        doc.automation.push_back(std::move(lane));
    });
    std::stable_sort(doc.automation.begin(), doc.automation.end(),
                     [](const AutomationLane& a, const AutomationLane& b) {
                         return automation_target_less(a.target, b.target);
                     });
}

// Reads a tree of the current version; problems go to `r`.
Document read_document(Reader& r, const json& root, StreamedNotes& notes) {
    Document doc;
    if (auto title = r.field(root, "", "title", false))
        if (auto s = r.text(title, false)) doc.title = std::move(*s);
    if (auto revision = r.field(root, "", "revision", false))
        if (auto v = r.unsigned_integer(revision, false)) doc.revision = *v;
    if (auto tempo = r.field(root, "", "tempo", false)) read_tempo(r, tempo, doc);
    if (auto meter = r.field(root, "", "meter", false)) read_meter(r, meter, doc);
    if (auto markers = r.field(root, "", "markers", false)) read_markers(r, markers, doc);
    std::unordered_map<BusId, std::size_t> bus_ids;
    if (auto buses = r.field(root, "", "buses", false)) bus_ids = read_buses(r, buses, doc);
    if (auto master = r.field(root, "", "master_inserts", false)) read_inserts(r, master, doc.master_inserts);
    if (auto tracks = r.field(root, "", "tracks", false)) read_tracks(r, tracks, doc, bus_ids, notes);
    if (auto automation = r.field(root, "", "automation", false)) read_automation(r, automation, doc);
    return doc;
}

// ---------------------------------------------------------------------------------------------
// Versions. A reader accepts every version up to its own and upgrades older trees in code, one
// step per version, before validating against the current schema. To introduce version N+1: bump
// kDocumentFormatVersion (core/score.h), write `void upgrade_vN_to_vN1(json& root)` that rewrites a
// version-N tree into version N+1 (keeping paths stable where possible, since problems are reported
// on the upgraded tree), add `case N:` below, and describe the change in docs/document-format.md.
// Tracks' notes never reach the tree: they are read while the text is parsed (StreamedNotes), so an
// upgrade that changes notes changes read_note and plain_note as well.

void upgrade_to_current(json& root, int version) {
    for (int v = version; v < kDocumentFormatVersion; ++v) {
        switch (v) {
            // case 1: upgrade_v1_to_v2(root); break;
            default:
                throw std::logic_error("no upgrade from document format version " + std::to_string(v));
        }
    }
    root["version"] = kDocumentFormatVersion;
}

// Checks "format" and "version"; returns the version when the document can be read.
std::optional<int> check_format_and_version(Reader& r, const json& root) {
    const auto format = r.field(root, "", "format", false);
    if (!format) {
        r.problem(format.path, "missing: a Tactus document starts with \"format\": \"tactus\"");
        return std::nullopt;
    }
    if (!format.value->is_string() || format.value->get_ref<const std::string&>() != "tactus") {
        r.problem(format.path,
                  "must be \"tactus\" (got " + describe(*format.value) + "): not a Tactus document");
        return std::nullopt;
    }
    const std::string supported =
        "this build reads format versions 1.." + std::to_string(kDocumentFormatVersion);
    const auto version = r.field(root, "", "version", false);
    if (!version) {
        r.problem(version.path, "missing: the format version is required (" + supported + ")");
        return std::nullopt;
    }
    const json& v = *version.value;
    const bool whole = v.is_number_integer() || (v.is_number_float() && std::isfinite(v.get<double>()) &&
                                                 v.get<double>() == std::floor(v.get<double>()));
    if (!whole) {
        r.problem(version.path,
                  "must be an integer format version (got " + describe(v) + "; " + supported + ")");
        return std::nullopt;
    }
    const double n = v.get<double>();
    if (n < 1) {
        r.problem(version.path, "format version " + describe(v) + " does not exist (versions start at 1; " +
                                    supported + ")");
        return std::nullopt;
    }
    if (n > kDocumentFormatVersion) {
        r.problem(version.path, "written by a newer Tactus (format version " + describe(v) +
                                    "); this build reads up to " + std::to_string(kDocumentFormatVersion));
        return std::nullopt;
    }
    return static_cast<int>(n);
}

// ---------------------------------------------------------------------------------------------
// Writing

// Whole numbers are written without a fraction ("4", not "4.0"), as a person would write them.
template <class J>
J number_value(double x) {
    constexpr double kExact = 9007199254740992.0;  // 2^53
    if (x == std::trunc(x) && std::fabs(x) <= kExact) return J(static_cast<std::int64_t>(x));
    return J(x);
}

// A Csound instrument number is written as a number (3), a name as a string ("Bell"); "007" stays a
// string, so that reading it back gives the same text.
template <class J>
J csound_instrument_value(const std::string& text) {
    std::uint64_t n = 0;
    const char* end = text.data() + text.size();
    if (auto [at, ec] = std::from_chars(text.data(), end, n);
        ec == std::errc() && at == end && n > 0 && text[0] != '0' && text[0] != '+')
        return J(n);
    return J(text);
}

template <class J>
J inserts_value(const std::vector<Insert>& list) {
    J inserts = J::array();
    for (const Insert& i : list) {
        J insert = J::object();
        insert["plugin"] = i.plugin;
        if (!i.parameters.empty()) {
            J parameters = J::object();
            for (const auto& [name, value] : i.parameters) parameters[name] = number_value<J>(value);
            insert["parameters"] = std::move(parameters);
        }
        if (i.bypass) insert["bypass"] = true;
        if (!i.state.empty()) insert["state"] = i.state;
        inserts.push_back(std::move(insert));
    }
    return inserts;
}

template <class J>
J to_json(const Document& doc) {
    J root = J::object();
    root["format"] = "tactus";
    root["version"] = kDocumentFormatVersion;
    root["title"] = doc.title;
    root["revision"] = doc.revision;
    J tempo = J::array();
    for (const TempoPoint& p : doc.tempo.points()) {
        J point = J::object();
        point["beat"] = number_value<J>(p.beat);
        point["bpm"] = number_value<J>(p.bpm);
        point["ramp"] = p.ramp;
        tempo.push_back(std::move(point));
    }
    root["tempo"] = std::move(tempo);
    J meter = J::array();
    for (const TimeSignature& sig : doc.meter) {
        J entry = J::object();
        entry["bar"] = sig.bar;
        entry["numerator"] = sig.numerator;
        entry["denominator"] = sig.denominator;
        meter.push_back(std::move(entry));
    }
    root["meter"] = std::move(meter);
    J markers = J::array();
    for (const Marker& m : doc.markers) {
        J marker = J::object();
        marker["beat"] = number_value<J>(m.beat);
        marker["name"] = m.name;
        markers.push_back(std::move(marker));
    }
    root["markers"] = std::move(markers);
    if (!doc.buses.empty()) {
        J buses = J::array();
        for (const Bus& b : doc.buses) {
            J bus = J::object();
            bus["id"] = b.id;
            bus["name"] = b.name;
            bus["level"] = number_value<J>(b.level);
            bus["pan"] = number_value<J>(b.pan);
            bus["mute"] = b.mute;
            bus["solo"] = b.solo;
            if (!b.inserts.empty()) bus["inserts"] = inserts_value<J>(b.inserts);
            buses.push_back(std::move(bus));
        }
        root["buses"] = std::move(buses);
    }
    if (!doc.master_inserts.empty()) root["master_inserts"] = inserts_value<J>(doc.master_inserts);
    J tracks = J::array();
    for (const Track& t : doc.tracks) {
        J track = J::object();
        track["id"] = t.id;
        track["name"] = t.name;
        track["instrument"] = t.instrument;
        track["preset"] = t.preset;
        track["level"] = number_value<J>(t.level);
        track["pan"] = number_value<J>(t.pan);
        track["mute"] = t.mute;
        track["solo"] = t.solo;
        if (t.midi_channel != 0) track["midi_channel"] = t.midi_channel;
        if (!t.orchestra.empty()) track["orchestra"] = t.orchestra;
        if (!t.csound_instrument.empty())
            track["csound_instrument"] = csound_instrument_value<J>(t.csound_instrument);
        if (!t.soundfont.empty()) track["soundfont"] = t.soundfont;
        if (!t.soundfont.empty() || t.instrument == "soundfont") {
            track["bank"] = t.bank;
            track["program"] = t.program;
        }
        if (t.drums) track["drums"] = true;
        if (!t.plugin.empty()) track["plugin"] = t.plugin;
        if (!t.plugin_state.empty()) track["plugin_state"] = t.plugin_state;
        if (!t.parameters.empty()) {
            J parameters = J::object();
            for (const auto& [name, value] : t.parameters) parameters[name] = number_value<J>(value);
            track["parameters"] = std::move(parameters);
        }
        if (!t.inserts.empty()) track["inserts"] = inserts_value<J>(t.inserts);
        if (!t.sends.empty()) {
            J sends = J::array();
            for (const Send& send : t.sends) {
                J o = J::object();
                o["bus"] = send.bus;
                o["level"] = number_value<J>(send.level);
                if (send.pre_fader) o["pre_fader"] = true;
                sends.push_back(std::move(o));
            }
            track["sends"] = std::move(sends);
        }
        J notes = J::array();
        for (const Note& n : t.notes) {
            J note = J::object();
            note["id"] = n.id;
            note["start"] = number_value<J>(n.start);
            note["length"] = number_value<J>(n.length);
            note["pitch"] = n.pitch;
            note["cents"] = number_value<J>(n.cents);
            note["velocity"] = n.velocity;
            notes.push_back(std::move(note));
        }
        track["notes"] = std::move(notes);
        J controllers = J::array();
        for (const ControllerEvent& c : t.controllers) {
            J event = J::object();
            event["beat"] = number_value<J>(c.beat);
            event["kind"] = controller_kind_name(c.kind);
            event["number"] = c.number;
            event["value"] = number_value<J>(c.value);
            controllers.push_back(std::move(event));
        }
        track["controllers"] = std::move(controllers);
        tracks.push_back(std::move(track));
    }
    root["tracks"] = std::move(tracks);
    if (!doc.automation.empty()) {  // left out when there is none (such documents are as before)
        J automation = J::array();
        for (const AutomationLane& l : doc.automation) {
            J lane = J::object();
            lane["owner"] = automation_owner_name(l.target.owner);
            lane["id"] = l.target.id;
            lane["control"] = l.target.control;
            J points = J::array();
            for (const AutomationPoint& p : l.points) {
                J point = J::object();
                point["beat"] = number_value<J>(p.beat);
                point["value"] = number_value<J>(p.value);
                point["shape"] = automation_shape_name(p.shape);
                points.push_back(std::move(point));
            }
            lane["points"] = std::move(points);
            automation.push_back(std::move(lane));
        }
        root["automation"] = std::move(automation);
    }
    return root;
}

std::string scalar_text(const ordered_json& v) {
    return v.dump(-1, ' ', false, json::error_handler_t::replace);
}

bool is_flat(const ordered_json& v) {
    if (!v.is_structured()) return true;
    for (const auto& child : v)
        if (child.is_structured()) return false;
    return true;
}

// Containers of scalars on one line ({"id": 1, "start": 0, ...}); others one member per line.
void write_pretty(const ordered_json& v, int indent, std::string& out) {
    const bool object = v.is_object();
    if (is_flat(v)) {
        if (!v.is_structured()) {
            out += scalar_text(v);
            return;
        }
        out += object ? '{' : '[';
        bool first = true;
        for (auto it = v.begin(); it != v.end(); ++it) {
            if (!first) out += ", ";
            first = false;
            if (object) out += scalar_text(ordered_json(it.key())) + ": ";
            out += scalar_text(it.value());
        }
        out += object ? '}' : ']';
        return;
    }
    out += object ? "{\n" : "[\n";
    const std::string pad(static_cast<std::size_t>(indent + 2), ' ');
    bool first = true;
    for (auto it = v.begin(); it != v.end(); ++it) {
        if (!first) out += ",\n";
        first = false;
        out += pad;
        if (object) out += scalar_text(ordered_json(it.key())) + ": ";
        write_pretty(it.value(), indent + 2, out);
    }
    out += '\n';
    out.append(static_cast<std::size_t>(indent), ' ');
    out += object ? '}' : ']';
}

}  // namespace

// -------------------------------------------------------------------------------------------------

namespace detail {

std::string tempo_error_path(std::string_view message) {
    constexpr std::string_view kPrefix = "tempo point ";
    if (message.substr(0, kPrefix.size()) != kPrefix) return "/tempo";
    std::size_t index = 0;
    const char* digits = message.data() + kPrefix.size();
    const auto [end, ec] = std::from_chars(digits, message.data() + message.size(), index);
    if (ec != std::errc{} || end == digits) return "/tempo";
    const std::string point = json_path_append("/tempo", index);
    const std::string_view rest(end, static_cast<std::size_t>(message.data() + message.size() - end));
    if (rest.find("ramp") != std::string_view::npos) return json_path_append(point, "ramp");
    if (rest.find("bpm") != std::string_view::npos) return json_path_append(point, "bpm");
    if (rest.find("beat") != std::string_view::npos) return json_path_append(point, "beat");
    return point;
}

std::uint64_t documents_parsed_on_threads() {
    return parsed_on_threads_count.load(std::memory_order_relaxed);
}

}  // namespace detail

std::string LoadError::to_string() const {
    if (line > 0) {
        return file + ":" + std::to_string(line) + ":" + std::to_string(column) + ": " +
               (json_path.empty() ? "" : json_path + ": ") + message;
    }
    if (json_path.empty()) return file + ": " + message;
    return file + ": " + json_path + ": " + message;
}

namespace {

// Parses the text on the calling thread. With `adopt`, once the text is parsed and before the tree
// is read, it hands its StreamedNotes the notes parsed elsewhere; it returns nullopt (and `adopt`
// false) when they would not fit what was streamed.
using AdoptNotes = bool (*)(void* context, StreamedNotes& notes);
std::optional<LoadResult> parse_text(std::string_view json_text, const std::string& source_name,
                                     ContentInErrors content, AdoptNotes adopt, void* adopt_context) {
    const ContentQuotingScope quoting(content);
    Problems problems(source_name);
    LoadResult result;
    if (json_text.find_first_not_of(" \t\r\n") == std::string_view::npos) {
        problems.add("",
                     "the file is empty (a Tactus document is a JSON object starting with "
                     "{\"format\": \"tactus\", \"version\": " +
                         std::to_string(kDocumentFormatVersion) + ", ...})");
        result.errors = problems.take();
        return result;
    }

    json root;
    StreamedNotes notes(source_name);
    DuplicateKeyWatchingParser parser(root, problems, &notes);
    if (!json::sax_parse(json_text, &parser)) {
        std::string message;
        if (parser.number_overflow()) {
            message = "must be a finite number (got " +
                      (t_quote_content ? truncate_utf8(parser.last_token(), kMaxQuotedChars) : "a number") +
                      ", too large to represent)";
        } else {
            message = "invalid JSON: " + syntax_error_detail(parser.error_text());
            const std::string_view rest = json_text.substr(std::min(parser.error_offset(), json_text.size()));
            if (rest.substr(0, 2) == "//" || rest.substr(0, 2) == "/*") message += " (JSON has no comments)";
        }
        const auto [line, column] = line_and_column(json_text, parser.error_offset());
        problems.add(t_quote_content ? parser.error_path() : std::string(), std::move(message), line, column);
        result.errors = problems.take();
        return result;
    }
    if (adopt != nullptr && !adopt(adopt_context, notes)) return std::nullopt;
    if (!root.is_object()) {
        problems.add("", "the top level must be a JSON object (got " + describe(root) + ")");
        result.errors = problems.take();
        return result;
    }

    Reader reader(problems);
    const auto version = check_format_and_version(reader, root);
    if (!version) {
        result.errors = problems.take();
        return result;
    }
    upgrade_to_current(root, *version);
    Document doc = read_document(reader, root, notes);
    if (problems.empty()) {
        result.document = std::move(doc);
    } else {
        result.errors = problems.take();
    }
    return result;
}

// ---------------------------------------------------------------------------------------------
// A large text on several threads. The tracks' notes are nearly all of a big document, and parsing
// them is nearly all of its load time: they are cut into pieces of whole elements (notes_text_scan.h)
// and parsed side by side, each piece as the notes of a one-track document; the rest of the text
// (the skeleton, its notes arrays emptied) is parsed as before and given the pieces' notes. This is
// only for documents without a problem: at the first sign of one (a piece that does not parse, a note
// that is not plain, a repeated id, any problem in the skeleton) the whole text is parsed again on
// one thread, so every message, and their order, is the one-thread parse's.

// The notes of one piece, or why they cannot be taken as they are.
struct PieceNotes {
    std::vector<Note> notes;
    std::vector<NoteId> ids;  // sorted
    bool plain = false;       // parsed, and every element a plain note
};

class PieceSink final : public NoteElementSink {
public:
    explicit PieceSink(PieceNotes& out) : out_(out) {}
    void notes_begin(std::size_t) override {}
    void note_element(std::size_t, std::size_t, CapturedElement& element) override {
        if (auto note = plain_note(element)) {
            out_.notes.push_back(*note);
        } else {
            all_plain_ = false;
        }
    }
    bool all_plain() const { return all_plain_; }

private:
    PieceNotes& out_;
    bool all_plain_ = true;
};

PieceNotes parse_piece(std::string_view text, const NotesTextPiece& piece, const std::string& source_name) {
    constexpr std::string_view kOpen = R"({"tracks":[{"notes":[)";
    constexpr std::string_view kClose = "]}]}";
    std::string wrapped;
    wrapped.reserve(kOpen.size() + (piece.end - piece.begin) + kClose.size());
    wrapped.append(kOpen).append(text.substr(piece.begin, piece.end - piece.begin)).append(kClose);
    PieceNotes out;
    json root;
    Problems problems(source_name);
    PieceSink sink(out);
    DuplicateKeyWatchingParser parser(root, problems, &sink);
    out.plain = json::sax_parse(wrapped, &parser) && sink.all_plain() && problems.empty();
    if (!out.plain) return out;
    out.ids.reserve(out.notes.size());
    for (const Note& note : out.notes) out.ids.push_back(note.id);
    std::sort(out.ids.begin(), out.ids.end());
    return out;
}

// Whether the pieces' ids, each list sorted, are all different.
bool ids_unique(std::vector<PieceNotes>& pieces) {
    std::vector<std::vector<NoteId>> lists;
    for (PieceNotes& p : pieces) lists.push_back(std::move(p.ids));
    while (lists.size() > 1) {  // merged in pairs: n log(pieces)
        std::vector<std::vector<NoteId>> merged;
        for (std::size_t k = 0; k + 1 < lists.size(); k += 2) {
            std::vector<NoteId> both(lists[k].size() + lists[k + 1].size());
            std::merge(lists[k].begin(), lists[k].end(), lists[k + 1].begin(), lists[k + 1].end(),
                       both.begin());
            merged.push_back(std::move(both));
        }
        if (lists.size() % 2 == 1) merged.push_back(std::move(lists.back()));
        lists = std::move(merged);
    }
    return lists.empty() || std::adjacent_find(lists[0].begin(), lists[0].end()) == lists[0].end();
}

struct Adoption {
    const NotesTextLayout* layout = nullptr;
    std::vector<PieceNotes>* pieces = nullptr;
};

bool adopt_pieces(void* context, StreamedNotes& notes) {
    const Adoption& a = *static_cast<const Adoption*>(context);
    if (notes.holds_notes()) return false;  // notes the scan did not see (an escaped key): ids unchecked
    // Each track's pieces, whole, in text order.
    for (std::size_t k = 0; k < a.layout->pieces.size();) {
        const std::size_t track = a.layout->pieces[k].track;
        std::size_t total = 0, end = k;
        for (; end < a.layout->pieces.size() && a.layout->pieces[end].track == track; ++end)
            total += (*a.pieces)[end].notes.size();
        std::vector<Note> all;
        all.reserve(total);
        for (; k < end; ++k) {
            std::vector<Note>& part = (*a.pieces)[k].notes;
            all.insert(all.end(), part.begin(), part.end());
            std::vector<Note>().swap(part);
        }
        notes.adopt(track, std::move(all));
    }
    return true;
}

std::optional<LoadResult> parse_on_threads(std::string_view json_text, const std::string& source_name,
                                           ContentInErrors content, int threads, std::size_t piece_bytes) {
    std::optional<NotesTextLayout> layout = scan_notes_text(json_text, piece_bytes);
    if (!layout || layout->pieces.empty()) return std::nullopt;
    std::vector<PieceNotes> pieces(layout->pieces.size());
    std::atomic<std::size_t> next{0};
    std::atomic<bool> failed{false};
    const auto work = [&] {
        try {
            for (std::size_t k;
                 !failed.load(std::memory_order_relaxed) && (k = next.fetch_add(1)) < pieces.size();) {
                pieces[k] = parse_piece(json_text, layout->pieces[k], source_name);
                if (!pieces[k].plain) failed = true;
            }
        } catch (...) {  // (out of memory) the one-thread parse will say
            failed = true;
        }
    };
    std::vector<std::thread> helpers;
    const int helper_count = std::min<int>(threads - 1, static_cast<int>(pieces.size()) - 1);
    for (int t = 0; t < helper_count; ++t) helpers.emplace_back(work);
    work();
    for (std::thread& helper : helpers) helper.join();
    if (failed || !ids_unique(pieces)) return std::nullopt;
    Adoption adoption{&*layout, &pieces};
    std::optional<LoadResult> result =
        parse_text(layout->skeleton, source_name, content, adopt_pieces, &adoption);
    if (!result || !result->errors.empty()) return std::nullopt;
    parsed_on_threads_count.fetch_add(1, std::memory_order_relaxed);
    return result;
}

// Texts from this size are parsed on every core.
constexpr std::size_t kThreadedFromBytes = std::size_t(8) << 20;
constexpr std::size_t kPieceBytes = std::size_t(1) << 20;

}  // namespace

LoadResult parse_document(std::string_view json_text, const std::string& source_name,
                          ContentInErrors content) {
    const int cores = static_cast<int>(std::thread::hardware_concurrency());
    if (json_text.size() >= kThreadedFromBytes && cores > 1)
        if (auto result = parse_on_threads(json_text, source_name, content, cores, kPieceBytes))
            return std::move(*result);
    return *parse_text(json_text, source_name, content, nullptr, nullptr);
}

LoadResult parse_document_on_threads(std::string_view json_text, const std::string& source_name,
                                     ContentInErrors content, int threads, std::size_t piece_bytes) {
    if (threads > 1)
        if (auto result = parse_on_threads(json_text, source_name, content, threads, piece_bytes))
            return std::move(*result);
    return *parse_text(json_text, source_name, content, nullptr, nullptr);
}

LoadResult load_document_file(const std::string& path, ContentInErrors content) {
    auto fail = [&](std::string message) {
        LoadResult result;
        result.errors.push_back(LoadError{path, "", std::move(message), 0, 0});
        return result;
    };
    FileReadResult file = read_regular_file(path);
    if (!file.bytes) return fail(std::move(file.error));
    return load_document_bytes(*file.bytes, path, content);
}

LoadResult load_document_bytes(const std::string& text, const std::string& path, ContentInErrors content) {
    auto fail = [&](std::string message) {
        LoadResult result;
        result.errors.push_back(LoadError{path, "", std::move(message), 0, 0});
        return result;
    };
    if (text.compare(0, 4, "MThd") == 0) {
        const auto* bytes = reinterpret_cast<const std::uint8_t*>(text.data());
        const MidiReadResult read = parse_midi({bytes, text.size()});
        if (!read.file) return fail(read.error);
        MidiImportResult imported = import_midi(*read.file);
        // General MIDI out of the box: the installed GM SoundFont's presets, else the built-in ones.
        assign_general_midi_instruments(*imported.document, installed_general_midi_font());
        LoadResult result;
        result.document = std::move(imported.document);
        result.warnings = read.warnings;
        result.warnings.insert(result.warnings.end(), imported.warnings.begin(), imported.warnings.end());
        for (std::string& w : result.warnings) w = path + ": " + w;
        if (result.document->title.empty())
            result.document->title = std::filesystem::path(path).filename().string();
        return result;
    }
    return parse_document(text, path, content);
}

nlohmann::json document_to_json(const Document& doc) {
    return to_json<json>(doc);
}

std::string document_to_string(const Document& doc) {
    std::string out;
    write_pretty(to_json<ordered_json>(doc), 0, out);
    out += '\n';
    return out;
}

bool save_document_file(const Document& doc, const std::string& path, std::string* error) {
    return write_file_atomically(path, document_to_string(doc), error);
}

}  // namespace tactus
