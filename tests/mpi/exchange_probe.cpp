// Two MPI ranks send each other 64 MiB at the same moment, through the transport's own send
// (mpi::send_within): with blocking sends past MPI's eager limit, each would wait for the
// other's receive for ever. Exits 0 when both received the other's bytes intact.
#include <cstdio>
#include <optional>
#include <string>

#include "common/system.h"
#include "exec/messages.h"
#include "exec/mpi/mpi_messages_internal.h"
#include "exec/mpi/mpi_runtime.h"

namespace sp = smallpond;

static std::string payload_of(int rank) {
  std::string bytes(64 << 20, '\0');
  uint64_t x = 0x9e3779b97f4a7c15ULL * (rank + 1);
  for (auto& c : bytes) {
    x ^= x << 13, x ^= x >> 7, x ^= x << 17;
    c = static_cast<char>(x);
  }
  return bytes;
}

int main() {
  sp::mpi_initialize();
  if (sp::mpi_size() != 2) {
    std::fprintf(stderr, "run with 2 ranks\n");
    return 2;
  }
  int rank = sp::mpi_rank(), other = 1 - rank;
  sp::TablesMessage message;
  message.tables["t"] = sp::binary_value(payload_of(rank));
  std::optional<sp::TablesMessage> got;
  auto receive = [&] {
    int from = -1;
    while (auto m = sp::mpi::try_receive(other, &from))
      if (auto* tables = std::get_if<sp::TablesMessage>(&*m))
        got = std::move(*tables);  // ("alive" beats aside)
    return false;
  };
  double start = sp::monotonic_seconds();
  if (!sp::mpi::send_within(message, other, 120, receive)) {
    std::fprintf(stderr, "rank %d: the send was not taken within 120 s\n", rank);
    return 1;
  }
  while (!got && sp::monotonic_seconds() - start < 120) receive();
  if (!got) {
    std::fprintf(stderr, "rank %d: nothing received within 120 s\n", rank);
    return 1;
  }
  if (sp::binary_bytes(got->tables.at("t")) != payload_of(other)) {
    std::fprintf(stderr, "rank %d: the received bytes differ\n", rank);
    return 1;
  }
  std::printf("rank %d exchanged 64 MiB both ways in %.2f s\n", rank,
              sp::monotonic_seconds() - start);
  return 0;
}
