#pragma once
// TCP sockets for executors on other machines: the driver listens, executor nodes connect.

#include <string>
#include <utility>

namespace smallpond {

//! "host:port" -> (host, port); throws InvalidInputError naming the address when malformed.
std::pair<std::string, int> parse_host_port(const std::string& address);

//! A listening socket on address ("host:port"; port 0: any free one). *bound_port: the port.
int tcp_listen(const std::string& address, int* bound_port);

//! Accepts a connection if one is waiting (the listening socket is non-blocking); -1 if none.
int tcp_accept(int listen_fd);

//! Connects to address, trying again until timeout_seconds have passed (the driver may not be
//! listening yet); throws Error naming the address when it never answers.
int tcp_connect(const std::string& address, double timeout_seconds);

}  // namespace smallpond
