#include "exec/protocol.h"

#include <gtest/gtest.h>
#include <sys/socket.h>

#include <thread>

#include "common/system.h"
#include "exec/liveness.h"
#include "exec/messages.h"
#include "exec/socket_channel.h"

namespace smallpond {

TEST(Protocol, AssignmentAndOutcomeRoundTrip) {
  TaskAssignment a;
  a.task_id = 7;
  a.attempt = 2;
  a.kind = TaskKind::HashProduce;
  a.label = "x[1]";
  a.key = "k";
  a.params = {{"n", 3}, {"columns", {"a"}}};
  DataSet d;
  d.files = {{"/p", 1, 5}};
  a.inputs = {d};
  a.staging_dir = "/s";
  a.final_dir = "/f";
  a.limits.threads = 2;
  a.limits.memory_limit = 1234;
  a.limits.temp_directory = "/t";
  EXPECT_EQ(TaskAssignment::from_json(a.to_json()).to_json(), a.to_json());

  TaskOutcome o;
  o.task_id = 7;
  o.ok = false;
  o.error = "bad";
  o.code = ErrorCode::InvalidInput;
  o.outputs = {d, d};
  EXPECT_EQ(TaskOutcome::from_json(o.to_json()).to_json(), o.to_json());
}

TEST(Protocol, SocketChannelFramesMessagesAndReportsClosure) {
  int fds[2];
  ASSERT_EQ(socketpair(AF_UNIX, SOCK_STREAM, 0, fds), 0);
  SocketChannel left(fds[0]);
  auto right = std::make_unique<SocketChannel>(fds[1]);
  std::string big(1 << 20,
                  'x');  // larger than a socket buffer: needs the writer and reader in step
  std::thread writer([&] {
    left.send({{"n", 1}});
    left.send({{"big", big}});
  });
  EXPECT_EQ(right->receive()->at("n"), 1);
  EXPECT_EQ(right->receive()->at("big").get<std::string>().size(), big.size());
  writer.join();
  right.reset();  // the peer goes away
  EXPECT_FALSE(left.receive().has_value());
  EXPECT_THROW(left.send({{"n", 2}}), Error);
}

TEST(Protocol, BinaryValuesTravelRawBesideTheJsonHeader) {
  std::string bytes;
  for (int i = 0; i < 70000; i++) bytes.push_back(static_cast<char>(i * 31));  // every byte value
  Json message = {{"type", "exported"},
                  {"tables", {{"a", binary_value(bytes)}, {"b", binary_value("")}}},
                  {"list", {1, binary_value("xyz"), "s"}}};
  std::string wire = encode_message(message);
  EXPECT_LT(wire.size(), bytes.size() + 300) << "bytes must not be re-encoded";
  Json back = decode_message(wire);
  EXPECT_EQ(back, message);
  EXPECT_EQ(binary_bytes(back["tables"]["a"]), bytes);
  EXPECT_EQ(binary_bytes(back["list"][1]), "xyz");
  EXPECT_THROW(decode_message(wire.substr(0, wire.size() - 1)), Error);
  EXPECT_THROW(decode_message("abc"), Error);

  // The same over a socket, larger than its buffer.
  int fds[2];
  ASSERT_EQ(socketpair(AF_UNIX, SOCK_STREAM, 0, fds), 0);
  SocketChannel left(fds[0]), right(fds[1]);
  std::thread writer([&] { left.send(message); });
  auto got = right.receive();
  writer.join();
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(*got, message);
}

}  // namespace smallpond

namespace smallpond {
namespace {

TEST(Messages, TypesAreReadOnceAndUnknownOnesAreKnownAsSuch) {
  for (MessageType t :
       {MessageType::Run, MessageType::Result, MessageType::Heartbeat, MessageType::Export,
        MessageType::Exported, MessageType::Drop, MessageType::Abandon, MessageType::Shutdown,
        MessageType::Tables, MessageType::Retired, MessageType::Alive})
    EXPECT_EQ(message_type(message_of(t)), t) << message_type_name(t);
  EXPECT_EQ(message_type({{"type", "teleport"}}), MessageType::Unknown);
  EXPECT_EQ(message_type({{"kind", "run"}}), MessageType::Unknown);
  EXPECT_EQ(message_type({{"type", 3}}), MessageType::Unknown);
  TaskOutcome o;
  o.task_id = 9;
  Json m = result_message(o);
  EXPECT_EQ(message_type(m), MessageType::Result);
  EXPECT_EQ(TaskOutcome::from_json(m["outcome"]).task_id, 9);
}

}  // namespace
}  // namespace smallpond

namespace smallpond {
namespace {

TEST(Liveness, ASilentExecutorIsReportedOnceUntilHeardAgain) {
  Liveness live(3, /*timeout_seconds=*/5);
  double now = monotonic_seconds();
  EXPECT_EQ(live.next_silent(now + 1), -1);
  live.heard(0);
  live.heard(2);
  live.unreachable(1);  // a message it did not take: lost at the next look
  EXPECT_EQ(live.next_silent(now + 1), 1);
  EXPECT_EQ(live.next_silent(now + 1), -1) << "reported twice";
  EXPECT_EQ(live.next_silent(now + 60), 0);
  EXPECT_EQ(live.next_silent(now + 60), 2);
  live.heard(1);
  EXPECT_EQ(live.next_silent(monotonic_seconds() + 1), -1);
  EXPECT_EQ(live.silence("MPI rank 2"), "MPI rank 2 stopped answering (no heartbeat for 5s)");
}

TEST(Liveness, MessagesBecomeEventsAndHeartbeatsDoNot) {
  EXPECT_FALSE(event_of(1, message_of(MessageType::Heartbeat)));
  auto reply = event_of(1, message_of(MessageType::Exported));
  ASSERT_TRUE(reply);
  EXPECT_EQ(reply->type, ExecutorEvent::Type::Reply);
  TaskOutcome o;
  o.task_id = 4;
  auto result = event_of(2, result_message(o));
  ASSERT_TRUE(result);
  EXPECT_EQ(result->type, ExecutorEvent::Type::Result);
  EXPECT_EQ(result->executor, 2);
  EXPECT_EQ(result->outcome.task_id, 4);
  EXPECT_FALSE(event_of(1, {{"type", "teleport"}}));
}

}  // namespace
}  // namespace smallpond
