#include "gui/autosave_worker.h"

#include <cstdio>
#include <exception>

#include "core/atomic_file.h"
#include "core/document_json.h"

namespace tactus::gui {

AutosaveWorker::AutosaveWorker(std::string document_path, std::string info_path, Report report)
    : document_path_(std::move(document_path)),
      info_path_(std::move(info_path)),
      report_(std::move(report)),
      thread_([this] { run(); }) {}

AutosaveWorker::~AutosaveWorker() {
    {
        std::lock_guard lock(state_mutex_);
        stopping_ = true;
        waiting_.reset();
    }
    wake_.notify_one();
    thread_.join();
}

void AutosaveWorker::submit(Document doc, std::string info) {
    {
        std::lock_guard lock(state_mutex_);
        waiting_ = Request{std::move(doc), std::move(info), epoch_};
    }
    wake_.notify_one();
}

void AutosaveWorker::cancelAndRemove() {
    {
        std::lock_guard lock(state_mutex_);
        ++epoch_;
        waiting_.reset();
    }
    // A write that saw the old epoch under this lock finishes before we remove its files; any later
    // one sees the new epoch and leaves the files alone.
    std::lock_guard files(files_mutex_);
    std::remove(document_path_.c_str());
    std::remove(info_path_.c_str());
}

bool AutosaveWorker::busy() const {
    std::lock_guard lock(state_mutex_);
    return waiting_ || writing_;
}

std::uint64_t AutosaveWorker::epoch() const {
    std::lock_guard lock(state_mutex_);
    return epoch_;
}

bool AutosaveWorker::current(std::uint64_t epoch) const {
    std::lock_guard lock(state_mutex_);
    return epoch == epoch_;
}

void AutosaveWorker::run() {
    for (;;) {
        Request request;
        {
            std::unique_lock lock(state_mutex_);
            wake_.wait(lock, [this] { return stopping_ || waiting_; });
            if (!waiting_) return;  // stopping
            request = std::move(*waiting_);
            waiting_.reset();
            writing_ = true;
        }
        std::string error;
        const Outcome outcome = write(request, &error);
        {
            std::lock_guard lock(state_mutex_);
            writing_ = false;
        }
        if (outcome != Outcome::Cancelled) report_(request.epoch, outcome == Outcome::Written, error);
    }
}

AutosaveWorker::Outcome AutosaveWorker::write(const Request& request, std::string* error) {
    if (!current(request.epoch)) return Outcome::Cancelled;
    std::string text;
    try {
        text = document_to_string(request.doc);
    } catch (const std::exception& e) {  // out of memory: a failed autosave, not a dead GUI
        *error = e.what();
        return Outcome::Failed;
    }
    std::lock_guard files(files_mutex_);
    // Checked again under the file lock: cancelAndRemove() may have run while we serialised.
    if (!current(request.epoch)) return Outcome::Cancelled;
    if (!write_file_atomically(document_path_, text, error)) return Outcome::Failed;
    if (!write_file_atomically(info_path_, request.info, error)) return Outcome::Failed;
    return Outcome::Written;
}

}  // namespace tactus::gui
