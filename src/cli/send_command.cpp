#include "cli/send_command.h"

#include <CLI/CLI.hpp>
#include <iostream>

#include "cli/osc_client.h"

namespace tactus::cli {

namespace {

struct SendOptions {
    std::string host = "127.0.0.1";
    int port = 7770;
    std::string address;
    std::vector<std::string> values;
    int wait_ms = 500;
};

// Exit: 0 when the engine replied without error, 1 on /error, 3 when nothing answered.
int run_send(const SendOptions& o) {
    if (o.address.empty() || o.address[0] != '/') {
        std::cerr << "error: the address must start with '/' (got '" << o.address << "')\n";
        return 2;
    }
    std::string error;
    lo_message message = message_from_arguments(o.values, &error);
    if (!message) {
        std::cerr << "error: " << error << "\n";
        return 2;
    }
    OscClient client;
    if (!client.open(o.host, o.port, &error)) {
        lo_message_free(message);
        std::cerr << "error: " << error << "\n";
        return 1;
    }
    const bool sent = client.send(o.address, message);
    lo_message_free(message);
    if (!sent) {
        std::cerr << "error: cannot send to " << o.host << ":" << o.port << "\n";
        return 1;
    }
    int status = 3;
    // Print everything that comes back within the wait (several replies for /instruments).
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(o.wait_ms);
    while (true) {
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0) break;
        auto reply = client.receive(left);
        if (!reply) break;
        std::cout << reply->to_string() << "\n";
        if (reply->address == "/error")
            status = 1;
        else if (status == 3)
            status = 0;
        const bool final_reply = (reply->address == "/reply" || reply->address == "/error") &&
                                 !reply->strings.empty() && reply->strings[0] == o.address;
        if (final_reply || reply->address == "/status") break;
    }
    if (status == 3) std::cerr << "error: no reply from tactusd at " << o.host << ":" << o.port << "\n";
    return status;
}

}  // namespace

void add_send_command(CLI::App& app, int& exit_code) {
    auto o = std::make_shared<SendOptions>();
    CLI::App* cmd = app.add_subcommand("send", "Send one OSC message to tactusd and print its replies");
    cmd->add_option("address", o->address, "OSC address, e.g. /play")->required();
    cmd->add_option("values", o->values, "oscsend-style type string then values, e.g.: id 2 0.5");
    cmd->add_option("--host", o->host, "Engine host")->capture_default_str();
    cmd->add_option("--port", o->port, "Engine port")->capture_default_str();
    cmd->add_option("--wait", o->wait_ms, "Milliseconds to wait for replies")->capture_default_str();
    cmd->callback([o, &exit_code] { exit_code = run_send(*o); });
}

}  // namespace tactus::cli
