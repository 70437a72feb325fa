#include "exec/socket_channel.h"

#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>

#include "smallpond/error.h"

namespace smallpond {

SocketChannel::~SocketChannel() {
  if (fd_ >= 0) ::close(fd_);
}

static bool write_all(int fd, const char* data, size_t size) {
  while (size > 0) {
    // MSG_NOSIGNAL: a peer that died must give an error here, not SIGPIPE.
    ssize_t n = ::send(fd, data, size, MSG_NOSIGNAL);
    if (n < 0 && errno == ENOTSOCK) n = ::write(fd, data, size);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    data += n;
    size -= static_cast<size_t>(n);
  }
  return true;
}

static bool read_all(int fd, char* data, size_t size) {
  while (size > 0) {
    ssize_t n = ::read(fd, data, size);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    data += n;
    size -= static_cast<size_t>(n);
  }
  return true;
}

void SocketChannel::send(const Message& message) {
  std::string body = encode(message);
  std::lock_guard<std::mutex> lock(send_mutex_);
  uint64_t len = body.size();
  char header[8];
  for (int i = 0; i < 8; i++) header[i] = static_cast<char>((len >> (8 * i)) & 0xff);
  if (!write_all(fd_, header, 8) || !write_all(fd_, body.data(), body.size()))
    throw Error("the other side of the executor channel is gone");
}

std::optional<Message> SocketChannel::receive() {
  unsigned char header[8];
  if (!read_all(fd_, reinterpret_cast<char*>(header), 8)) return std::nullopt;
  uint64_t len = 0;
  for (int i = 0; i < 8; i++) len |= uint64_t(header[i]) << (8 * i);
  std::string body(len, '\0');
  if (!read_all(fd_, body.data(), len)) return std::nullopt;
  return decode(body);
}

}  // namespace smallpond
