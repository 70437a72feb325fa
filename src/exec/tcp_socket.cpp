#include "exec/tcp_socket.h"

#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <thread>

#include "common/system.h"
#include "smallpond/error.h"

namespace smallpond {

std::pair<std::string, int> parse_host_port(const std::string& address) {
  auto colon = address.rfind(':');
  int port = -1;
  if (colon != std::string::npos && colon > 0) {
    try {
      size_t used = 0;
      port = std::stoi(address.substr(colon + 1), &used);
      if (used != address.size() - colon - 1) port = -1;
    } catch (const std::exception&) {
      port = -1;
    }
  }
  if (port < 0 || port > 65535)
    throw InvalidInputError("'" + address + "' is not an address of the form HOST:PORT");
  return {address.substr(0, colon), port};
}

namespace {

addrinfo* resolve(const std::string& address, bool passive) {
  auto [host, port] = parse_host_port(address);
  addrinfo hints{};
  hints.ai_family = AF_INET;
  hints.ai_socktype = SOCK_STREAM;
  if (passive) hints.ai_flags = AI_PASSIVE;
  addrinfo* found = nullptr;
  int rc = ::getaddrinfo(host.c_str(), std::to_string(port).c_str(), &hints, &found);
  if (rc != 0 || !found)
    throw InvalidInputError("cannot resolve '" + address + "': " + ::gai_strerror(rc));
  return found;
}

void no_delay(int fd) {
  int one = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);  // small messages, now
}

}  // namespace

int tcp_listen(const std::string& address, int* bound_port) {
  addrinfo* ai = resolve(address, true);
  int fd = ::socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  int one = 1;
  if (fd >= 0) ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  if (fd < 0 || ::bind(fd, ai->ai_addr, ai->ai_addrlen) != 0 || ::listen(fd, 128) != 0) {
    std::string why = std::strerror(errno);
    if (fd >= 0) ::close(fd);
    ::freeaddrinfo(ai);
    throw InvalidInputError("cannot listen on '" + address + "': " + why);
  }
  ::freeaddrinfo(ai);
  sockaddr_in bound{};
  socklen_t len = sizeof bound;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&bound), &len);
  if (bound_port) *bound_port = ntohs(bound.sin_port);
  return fd;
}

int tcp_accept(int listen_fd) {
  int fd = ::accept4(listen_fd, nullptr, nullptr, SOCK_CLOEXEC);
  if (fd < 0) return -1;
  no_delay(fd);
  return fd;
}

int tcp_connect(const std::string& address, double timeout_seconds) {
  double deadline = monotonic_seconds() + timeout_seconds;
  std::string why;
  while (true) {
    addrinfo* ai = resolve(address, false);
    int fd = ::socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, 0);
    bool ok = fd >= 0 && ::connect(fd, ai->ai_addr, ai->ai_addrlen) == 0;
    why = std::strerror(errno);
    ::freeaddrinfo(ai);
    if (ok) {
      no_delay(fd);
      return fd;
    }
    if (fd >= 0) ::close(fd);
    if (monotonic_seconds() >= deadline) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  throw Error("cannot connect to the driver at '" + address + "': " + why);
}

}  // namespace smallpond
