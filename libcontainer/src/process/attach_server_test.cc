#include "process/attach_server.h"

#include <fcntl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <string>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "process/protocol.h"

namespace mydocker::process {
namespace {

class AttachServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = ::testing::TempDir() + "/attachXXXXXX";
    ASSERT_NE(::mkdtemp(dir_.data()), nullptr);
    dir_fd_.reset(::open(dir_.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
    ASSERT_TRUE(server_.Listen(dir_fd_.get()).ok());
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  UniqueFd Connect(int32_t hello) {
    UniqueFd sock(::socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0));
    struct sockaddr_un addr = {};
    addr.sun_family = AF_UNIX;
    std::string path = absl::StrCat(dir_, "/", kAttachSocketName);
    std::memcpy(addr.sun_path, path.c_str(), path.size() + 1);
    EXPECT_EQ(::connect(sock.get(), reinterpret_cast<struct sockaddr*>(&addr), sizeof addr), 0);
    Send(sock.get(), EncodeFrame(FrameType::kHello, hello));
    return sock;
  }
  static void Send(int sock, const std::string& frame) {
    ASSERT_EQ(::send(sock, frame.data(), frame.size(), 0), static_cast<ssize_t>(frame.size()));
  }
  // One round of the monitor's loop, without waiting.
  void Turn() {
    std::vector<struct pollfd> fds;
    server_.AddPollFds(fds);
    ::poll(fds.data(), fds.size(), 0);
    server_.Handle(fds, 0, callbacks_);
  }

  std::string dir_;
  UniqueFd dir_fd_;
  AttachServer server_;
  AttachServer::Callbacks callbacks_;
};

TEST_F(AttachServerTest, OutputToEveryClientInputFromAny) {
  int pipe_fds[2];
  ASSERT_EQ(::pipe2(pipe_fds, O_CLOEXEC | O_NONBLOCK), 0);
  UniqueFd in_r(pipe_fds[0]), in_w(pipe_fds[1]);
  server_.SetInput(in_w.get());
  int signal = 0;
  callbacks_.signal = [&](int sig) { signal = sig; };
  UniqueFd a = Connect(kAttachStdin), b = Connect(0);
  Turn();  // accepts
  Turn();  // hellos
  ASSERT_EQ(server_.clients(), 2u);
  server_.Output(1, "hello");
  for (int sock : {a.get(), b.get()}) {
    auto frame = ReceiveFrame(sock);
    ASSERT_TRUE(frame.ok());
    EXPECT_EQ(frame->header.type, FrameType::kOutput);
    EXPECT_EQ(frame->data, "hello");
  }
  Send(a.get(), EncodeFrame(FrameType::kInput, 0, "typed"));
  Send(b.get(), EncodeFrame(FrameType::kInput, 0, "ignored: b sends no input"));
  Send(b.get(), EncodeFrame(FrameType::kSignal, 15));
  for (int i = 0; i < 3; ++i) Turn();
  char buf[64];
  ssize_t n = ::read(in_r.get(), buf, sizeof buf);
  EXPECT_EQ(std::string(buf, n > 0 ? static_cast<size_t>(n) : 0), "typed");
  EXPECT_EQ(signal, 15);
  a.reset();  // detached
  Turn();
  EXPECT_EQ(server_.clients(), 1u);
  server_.Exited(3);
  auto frame = ReceiveFrame(b.get());
  ASSERT_TRUE(frame.ok());
  EXPECT_EQ(frame->header.type, FrameType::kExited);
  EXPECT_EQ(frame->header.value, 3);
  EXPECT_FALSE(std::filesystem::exists(absl::StrCat(dir_, "/", kAttachSocketName)));
}

TEST_F(AttachServerTest, AClientThatDoesNotReadIsDroppedNotWaitedFor) {
  UniqueFd slow = Connect(0);
  Turn();
  Turn();
  ASSERT_EQ(server_.clients(), 1u);
  const std::string chunk(kMaxFramePayload, 'x');
  // Far more than the socket holds: every call returns at once, and the client goes.
  for (size_t sent = 0; sent < 2 * AttachServer::kMaxQueued; sent += chunk.size()) {
    server_.Output(1, chunk);
  }
  Turn();
  EXPECT_EQ(server_.clients(), 0u);
}

}  // namespace
}  // namespace mydocker::process
