// The user's private directory for what must not be reachable by other local users: the engine's
// Unix-domain control socket, the log of an engine the CLI starts, the network token.
//
//   $XDG_RUNTIME_DIR/tactus   when XDG_RUNTIME_DIR is set (systemd makes it per-user, mode 0700)
//   /tmp/tactus-<uid>         otherwise
//
// Created with mode 0700. An existing entry is used only when it is a real directory (not a symbolic
// link), owned by this user and closed to group and others; anything else is refused with an error
// naming the path, since another user could have planted it to read or redirect our files.
//
// Threading: any thread; blocking file-system calls, never from the audio thread.
#pragma once

#include <optional>
#include <string>

namespace tactus {

// The directory (created when missing), or nullopt with *error naming the path and the problem.
std::optional<std::string> private_runtime_dir(std::string* error);

// Where an engine whose OSC port is `port` puts its control socket: <private dir>/tactusd-<port>.sock.
// nullopt with *error set when the private directory cannot be had.
std::optional<std::string> engine_socket_path(int port, std::string* error);

}  // namespace tactus
