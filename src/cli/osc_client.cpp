#include "cli/osc_client.h"

#include <cmath>
#include <cstdlib>
#include <cstring>

namespace tactus::cli {

std::string ReceivedMessage::to_string() const {
    std::string out = address;
    for (const std::string& a : args) out += " " + a;
    return out;
}

OscClient::OscClient() = default;

OscClient::~OscClient() {
    if (target_) lo_address_free(target_);
    if (server_) lo_server_free(server_);
}

bool OscClient::open(const std::string& host, int port, std::string* error) {
    server_ = lo_server_new_with_proto(nullptr, LO_UDP, nullptr);
    if (!server_) {
        if (error) *error = "cannot open a UDP socket for replies";
        return false;
    }
    lo_server_add_method(server_, nullptr, nullptr, &OscClient::on_message, this);
    target_ = lo_address_new(host.c_str(), std::to_string(port).c_str());
    if (!target_) {
        if (error) *error = "bad engine address " + host + ":" + std::to_string(port);
        return false;
    }
    return true;
}

bool OscClient::send(const std::string& address, lo_message message) {
    return lo_send_message_from(target_, server_, address.c_str(), message) >= 0;
}

int OscClient::on_message(const char* path, const char* types, lo_arg** argv, int argc, lo_message,
                          void* self) {
    auto* client = static_cast<OscClient*>(self);
    ReceivedMessage m;
    m.address = path;
    m.types = types;
    for (int i = 0; i < argc; ++i) {
        std::string text;
        double number = std::nan("");
        std::string str;
        switch (types[i]) {
            case 'i':
                number = argv[i]->i;
                text = std::to_string(argv[i]->i);
                break;
            case 'h':
                number = double(argv[i]->h);
                text = std::to_string(argv[i]->h);
                break;
            case 'f':
                number = argv[i]->f;
                text = std::to_string(argv[i]->f);
                break;
            case 'd':
                number = argv[i]->d;
                text = std::to_string(argv[i]->d);
                break;
            case 's':
            case 'S':
                str = &argv[i]->s;
                text = "\"" + str + "\"";
                break;
            case 'T':
                text = "true";
                break;
            case 'F':
                text = "false";
                break;
            default:
                text = std::string("<") + types[i] + ">";
                break;
        }
        m.args.push_back(text);
        m.numbers.push_back(number);
        m.strings.push_back(str);
    }
    client->inbox_.push_back(std::move(m));
    return 0;
}

std::optional<ReceivedMessage> OscClient::receive(std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (inbox_.empty()) {
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0) return std::nullopt;
        lo_server_recv_noblock(server_, static_cast<int>(left.count()));
    }
    ReceivedMessage m = std::move(inbox_.front());
    inbox_.erase(inbox_.begin());
    return m;
}

std::optional<ReceivedMessage> OscClient::wait_reply(const std::string& address,
                                                     std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0) return std::nullopt;
        auto m = receive(left);
        if (!m) return std::nullopt;
        if ((m->address == "/reply" || m->address == "/error") && !m->strings.empty() &&
            m->strings[0] == address)
            return m;
    }
}

bool OscClient::ping(std::chrono::milliseconds timeout) {
    return send("/ping") && wait_reply("/ping", timeout).has_value();
}

lo_message message_from_arguments(const std::vector<std::string>& args, std::string* error) {
    lo_message m = lo_message_new();
    if (args.empty()) return m;
    const std::string& types = args[0];
    std::size_t next = 1;  // T, F and N take no value, as with oscsend
    auto fail = [&](const std::string& message) -> lo_message {
        if (error) *error = message;
        lo_message_free(m);
        return nullptr;
    };
    for (std::size_t i = 0; i < types.size(); ++i) {
        const char type = types[i];
        if (type == 'T' || type == 'F' || type == 'N') {
            if (type == 'T') lo_message_add_true(m);
            if (type == 'F') lo_message_add_false(m);
            if (type == 'N') lo_message_add_nil(m);
            continue;
        }
        if (next >= args.size())
            return fail("type '" + std::string(1, type) + "' (argument " + std::to_string(i + 1) +
                        ") has no value");
        const std::string& v = args[next++];
        char* end = nullptr;
        bool ok = !v.empty();
        switch (type) {
            case 'i':
                lo_message_add_int32(m, static_cast<std::int32_t>(std::strtol(v.c_str(), &end, 10)));
                break;
            case 'h':
                lo_message_add_int64(m, std::strtoll(v.c_str(), &end, 10));
                break;
            case 'f':
                lo_message_add_float(m, std::strtof(v.c_str(), &end));
                break;
            case 'd':
                lo_message_add_double(m, std::strtod(v.c_str(), &end));
                break;
            case 's':
                lo_message_add_string(m, v.c_str());
                ok = true;
                break;
            default:
                return fail("unknown type '" + std::string(1, type) + "' (use i h f d s T F N)");
        }
        if (type != 's' && (!ok || !end || *end != '\0'))
            return fail("value '" + v + "' does not fit type '" + std::string(1, type) + "' (argument " +
                        std::to_string(i + 1) + ")");
    }
    if (next != args.size()) return fail("more values than the type string '" + types + "' names");
    return m;
}

}  // namespace tactus::cli
