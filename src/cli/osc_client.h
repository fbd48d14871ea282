// A small OSC client for the command line: sends from a UDP socket it also listens on, so tactusd's
// replies (which go back to the sender) arrive here. Built on liblo.
#pragma once

#include <lo/lo.h>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace tactus::cli {

struct ReceivedMessage {
    std::string address;
    std::string types;
    std::vector<std::string> args;     // each argument as text
    std::vector<double> numbers;       // numeric arguments by position (NaN for non-numbers)
    std::vector<std::string> strings;  // string arguments by position ("" for non-strings)

    std::string to_string() const;  // "/reply \"/play\" 12345 4.0 0"
};

class OscClient {
public:
    OscClient();
    ~OscClient();
    OscClient(const OscClient&) = delete;
    OscClient& operator=(const OscClient&) = delete;

    bool open(const std::string& host, int port, std::string* error);
    // Sends `message` (the client keeps ownership) to the engine.
    bool send(const std::string& address, lo_message message);
    bool send(const std::string& address) {
        lo_message m = lo_message_new();
        const bool ok = send(address, m);
        lo_message_free(m);
        return ok;
    }
    // The next message that arrives within `timeout`, if any.
    std::optional<ReceivedMessage> receive(std::chrono::milliseconds timeout);
    // Waits for the reply to `address`: a /reply or /error whose first argument is `address`.
    std::optional<ReceivedMessage> wait_reply(const std::string& address, std::chrono::milliseconds timeout);
    // True when an engine answers /ping within `timeout`.
    bool ping(std::chrono::milliseconds timeout);

private:
    static int on_message(const char* path, const char* types, lo_arg** argv, int argc, lo_message msg,
                          void* self);

    lo_server server_ = nullptr;
    lo_address target_ = nullptr;
    std::vector<ReceivedMessage> inbox_;
};

// Builds a message from oscsend-style arguments: a type string ("ifs") then one value per type.
// Types: i h f d s T F N. nullptr with *error set when they do not match.
lo_message message_from_arguments(const std::vector<std::string>& args, std::string* error);

}  // namespace tactus::cli
