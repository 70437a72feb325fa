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
  a.intermediate = true;
  a.flush_output = true;
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
    left.send(DropMessage{{"t1"}});
    left.send(DropMessage{{big}});
  });
  EXPECT_EQ(std::get<DropMessage>(*right->receive()).tables[0], "t1");
  EXPECT_EQ(std::get<DropMessage>(*right->receive()).tables[0].size(), big.size());
  writer.join();
  right.reset();  // the peer goes away
  EXPECT_FALSE(left.receive().has_value());
  EXPECT_THROW(left.send(HeartbeatMessage{}), Error);
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
  TablesMessage tables;
  tables.tables["a"] = binary_value(bytes);
  std::thread writer([&] { left.send(tables); });
  auto got = right.receive();
  writer.join();
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(binary_bytes(std::get<TablesMessage>(*got).tables.at("a")), bytes);
}

}  // namespace smallpond

namespace smallpond {
namespace {

// Every message type survives the wire (framed bytes with raw table bytes) as its own struct,
// fields and all; a type this side does not know is kept as such, not mistaken for another.
TEST(Messages, EachTypeCrossesTheWireAsItsOwnStruct) {
  auto across = [](const Message& m) { return decode(encode(m)); };
  TaskAssignment task;
  task.task_id = 7;
  task.label = "s[3]";
  task.attachments["t"] = binary_value(std::string("\0\1bytes", 7));
  task.attachments["r"] = reference_attachment(binary_value(std::string("actor\0r", 7)));
  Message run = across(RunMessage{task});
  ASSERT_TRUE(std::holds_alternative<RunMessage>(run)) << message_name(run);
  EXPECT_EQ(std::get<RunMessage>(run).task.to_json(), task.to_json());
  const Json& attached = std::get<RunMessage>(run).task.attachments;
  EXPECT_FALSE(is_reference_attachment(attached["t"]));
  ASSERT_TRUE(is_reference_attachment(attached["r"]));
  EXPECT_EQ(attachment_reference(attached["r"]), std::string("actor\0r", 7));

  TaskOutcome outcome;
  outcome.task_id = 9;
  outcome.error = "boom";
  Message result = across(ResultMessage{outcome});
  ASSERT_TRUE(std::holds_alternative<ResultMessage>(result));
  EXPECT_EQ(std::get<ResultMessage>(result).outcome.to_json(), outcome.to_json());

  Message request = across(ExportMessage{{"a", "b"}, 3});
  ASSERT_TRUE(std::holds_alternative<ExportMessage>(request));
  EXPECT_EQ(std::get<ExportMessage>(request).tables, (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(std::get<ExportMessage>(request).to, 3);
  EXPECT_EQ(std::get<ExportMessage>(across(ExportMessage{{"a"}})).to, -1);

  ExportedMessage reply;
  reply.tables["a"] = binary_value(std::string(1 << 20, 'x'));
  reply.missing = {"b"};
  reply.error = "b is not here";
  reply.delivered_to = 2;
  reply.delivered = {"c"};
  Message replied = across(reply);
  ASSERT_TRUE(std::holds_alternative<ExportedMessage>(replied));
  auto& r = std::get<ExportedMessage>(replied);
  EXPECT_EQ(binary_bytes(r.tables.at("a")), std::string(1 << 20, 'x'));
  EXPECT_EQ(r.missing, reply.missing);
  EXPECT_EQ(r.error, reply.error);
  EXPECT_EQ(r.delivered_to, 2);
  EXPECT_EQ(r.delivered, reply.delivered);
  EXPECT_FALSE(r.by_reference);
  reply.by_reference = true;
  EXPECT_TRUE(std::get<ExportedMessage>(across(reply)).by_reference);

  EXPECT_EQ(std::get<DropMessage>(across(DropMessage{{"x"}})).tables,
            (std::vector<std::string>{"x"}));
  EXPECT_FALSE(std::get<ShutdownMessage>(across(ShutdownMessage{false})).finalize);
  EXPECT_TRUE(std::get<ShutdownMessage>(across(ShutdownMessage{})).finalize);
  TablesMessage tables;
  tables.tables["t"] = binary_value("rows");
  EXPECT_EQ(binary_bytes(std::get<TablesMessage>(across(tables)).tables.at("t")), "rows");
  for (Message m : {Message(HeartbeatMessage{}), Message(AbandonMessage{}),
                    Message(RetiredMessage{}), Message(AliveMessage{})})
    EXPECT_EQ(across(m).index(), m.index()) << message_name(m);

  Message unknown = message_from_json({{"type", "teleport"}});
  ASSERT_TRUE(std::holds_alternative<UnknownMessage>(unknown));
  EXPECT_EQ(message_name(unknown), "teleport");
  EXPECT_TRUE(std::holds_alternative<UnknownMessage>(message_from_json({{"kind", "run"}})));
  EXPECT_TRUE(std::holds_alternative<UnknownMessage>(message_from_json({{"type", 3}})));
  // A known type without its fields is an error, not a message with defaults.
  EXPECT_THROW(message_from_json({{"type", "run"}}), InternalError);
  EXPECT_THROW(message_from_json({{"type", "tables"}, {"tables", {{"t", "not bytes"}}}}),
               InternalError);
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
  EXPECT_FALSE(event_of(1, HeartbeatMessage{}));
  EXPECT_FALSE(event_of(1, UnknownMessage{"teleport"}));
  auto reply = event_of(1, ExportedMessage{});
  ASSERT_TRUE(reply);
  EXPECT_EQ(reply->type, ExecutorEvent::Type::Reply);
  TaskOutcome o;
  o.task_id = 4;
  auto result = event_of(2, ResultMessage{o});
  ASSERT_TRUE(result);
  EXPECT_EQ(result->type, ExecutorEvent::Type::Result);
  EXPECT_EQ(result->executor, 2);
  EXPECT_EQ(result->outcome.task_id, 4);
}

}  // namespace
}  // namespace smallpond
