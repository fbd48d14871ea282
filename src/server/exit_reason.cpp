#include "server/exit_reason.h"

#include <cstring>
#include <fstream>
#include <iostream>
#include <mutex>
#include <streambuf>

namespace tactus {

// Passes every character on to std::cerr's own buffer and keeps the last complete line that starts
// with "tactusd: ".
class ExitReason::LineTee : public std::streambuf {
public:
    explicit LineTee(std::streambuf* target) : target_(target) {}
    std::streambuf* target() const { return target_; }
    std::string last_line() {
        const std::lock_guard lock(mutex_);
        return last_;
    }

protected:
    int_type overflow(int_type c) override {
        if (traits_type::eq_int_type(c, traits_type::eof())) return traits_type::not_eof(c);
        const std::lock_guard lock(mutex_);
        take(traits_type::to_char_type(c));
        return target_->sputc(traits_type::to_char_type(c));
    }
    std::streamsize xsputn(const char* s, std::streamsize n) override {
        const std::lock_guard lock(mutex_);
        for (std::streamsize i = 0; i < n; ++i) take(s[i]);
        return target_->sputn(s, n);
    }
    int sync() override { return target_->pubsync(); }

private:
    void take(char c) {
        if (c != '\n') {
            if (line_.size() < 4096) line_ += c;
            return;
        }
        if (line_.rfind("tactusd: ", 0) == 0) last_ = line_;
        line_.clear();
    }

    std::streambuf* target_;
    std::mutex mutex_;
    std::string line_, last_;
};

ExitReason::ExitReason(int argc, char** argv) {
    static constexpr char kOption[] = "--exit-reason";
    for (int i = 1; i < argc; ++i) {
        if (std::strcmp(argv[i], kOption) == 0 && i + 1 < argc) {
            path_ = argv[i + 1];
        } else if (std::strncmp(argv[i], kOption, sizeof kOption - 1) == 0 &&
                   argv[i][sizeof kOption - 1] == '=') {
            path_ = argv[i] + sizeof kOption;
        }
    }
    if (path_.empty()) return;
    std::ofstream(path_, std::ios::trunc);  // emptied: a reason left by an earlier engine is not ours
    tee_ = std::make_unique<LineTee>(std::cerr.rdbuf());
    std::cerr.rdbuf(tee_.get());
}

ExitReason::~ExitReason() {
    if (tee_) std::cerr.rdbuf(tee_->target());
}

void ExitReason::record_exit(int status) {
    if (!tee_ || status == 0) return;
    std::ofstream(path_, std::ios::trunc) << tee_->last_line() << "\n";
}

}  // namespace tactus
