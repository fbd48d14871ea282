// The thread that writes autosaves, so that turning a large document into JSON and writing it never
// stalls the UI thread. One write at a time; a request that arrives while one runs waits in a single
// slot, where a newer request replaces it (only the newest document is worth writing).
//
// Cancelling is by epoch: every request carries the epoch it was made in, and cancelAndRemove() starts
// a new one. A write checks its epoch under the file lock just before it touches the files, and
// cancelAndRemove() removes them under the same lock, so once it returns no request made before it
// can bring the files back.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "core/score.h"

namespace tactus::gui {

class AutosaveWorker {
public:
    // Called on the worker thread after each write that was not cancelled; `error` is set when !ok.
    using Report = std::function<void(std::uint64_t epoch, bool ok, const std::string& error)>;

    AutosaveWorker(std::string document_path, std::string info_path, Report report);
    // Lets a write in flight finish (it was asked for and nothing cancelled it) and drops one waiting.
    ~AutosaveWorker();
    AutosaveWorker(const AutosaveWorker&) = delete;
    AutosaveWorker& operator=(const AutosaveWorker&) = delete;

    // Queues the document and the info file's contents; returns at once.
    void submit(Document doc, std::string info);
    // Cancels every request made so far and removes both files. Blocks only while a write is already
    // replacing the files (never for serialisation).
    void cancelAndRemove();
    // A request is waiting or being written.
    bool busy() const;
    std::uint64_t epoch() const;

private:
    struct Request {
        Document doc;
        std::string info;
        std::uint64_t epoch = 0;
    };
    enum class Outcome { Written, Failed, Cancelled };

    void run();
    Outcome write(const Request& request, std::string* error);
    bool current(std::uint64_t epoch) const;

    const std::string document_path_;
    const std::string info_path_;
    const Report report_;

    mutable std::mutex state_mutex_;  // guards the fields below
    std::condition_variable wake_;
    std::optional<Request> waiting_;
    bool writing_ = false;
    bool stopping_ = false;
    std::uint64_t epoch_ = 0;

    std::mutex files_mutex_;  // held while the files are replaced or removed
    std::thread thread_;      // last: starts once everything above exists
};

}  // namespace tactus::gui
