#pragma once
// MessageChannel over a stream socket (or pipe pair): each message is an 8-byte little-endian
// length followed by the message (encode_message).

#include <mutex>

#include "exec/messages.h"

namespace smallpond {

class SocketChannel : public MessageChannel {
 public:
  //! Takes ownership of fd.
  explicit SocketChannel(int fd) : fd_(fd) {}
  ~SocketChannel() override;
  SocketChannel(const SocketChannel&) = delete;
  SocketChannel& operator=(const SocketChannel&) = delete;

  //! Throws Error when the peer is gone. Safe to call from several threads.
  void send(const Message& message) override;
  std::optional<Message> receive() override;
  int fd() const { return fd_; }

 private:
  int fd_;
  std::mutex send_mutex_;  // a heartbeat thread sends beside the serving loop
};

}  // namespace smallpond
