#include "process/stdio_relay.h"

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <string>

#include "absl/strings/match.h"
#include "gtest/gtest.h"

namespace mydocker::process {
namespace {

struct Pipe {
  Pipe() { EXPECT_EQ(::pipe2(fd, O_CLOEXEC), 0); }
  ~Pipe() {
    for (int f : fd) {
      if (f >= 0) ::close(f);
    }
  }
  void CloseWrite() { ::close(fd[1]), fd[1] = -1; }
  void CloseRead() { ::close(fd[0]), fd[0] = -1; }
  int fd[2];
};

std::string ReadSome(int fd) {
  char buf[70000];
  ssize_t n = ::read(fd, buf, sizeof buf);
  return n > 0 ? std::string(buf, static_cast<size_t>(n)) : "";
}

TEST(StdioRelayTest, InputWaitsWhileTheCommandDoesNotRead) {
  Pipe caller, command;
  // Fill the command's pipe so that its writer would block.
  ::fcntl(command.fd[1], F_SETFL, O_NONBLOCK);
  std::string filler(1 << 20, 'x');
  while (::write(command.fd[1], filler.data(), filler.size()) > 0) {
  }
  InputPump pump(caller.fd[0], command.fd[1]);
  ASSERT_EQ(::write(caller.fd[1], "hello", 5), 5);
  EXPECT_EQ(pump.PollFd().fd, caller.fd[0]);
  EXPECT_TRUE(pump.Pump());  // read, could not write: kept
  EXPECT_EQ(pump.PollFd().fd, command.fd[1]);
  EXPECT_EQ(pump.PollFd().events, POLLOUT);
  // The command reads; what waited goes through and the pump reads the caller again.
  ::fcntl(command.fd[0], F_SETFL, O_NONBLOCK);
  std::string all;
  for (int i = 0; i < 100 && !absl::EndsWith(all, "hello"); ++i) {
    all += ReadSome(command.fd[0]);
    if (pump.PollFd().fd == command.fd[1]) pump.Pump();
  }
  EXPECT_TRUE(absl::EndsWith(all, "hello"));
  EXPECT_EQ(pump.PollFd().fd, caller.fd[0]);
}

TEST(StdioRelayTest, InputEndsAtTheCallersEndOrWhenTheCommandClosesItsStdin) {
  ::signal(SIGPIPE, SIG_IGN);  // as in the monitor: a closed reader is EPIPE, not death
  Pipe caller, command;
  InputPump pump(caller.fd[0], command.fd[1]);
  caller.CloseWrite();
  EXPECT_FALSE(pump.Pump());
  EXPECT_FALSE(pump.open());

  Pipe caller2, command2;
  InputPump pump2(caller2.fd[0], command2.fd[1]);
  command2.CloseRead();
  ASSERT_EQ(::write(caller2.fd[1], "x", 1), 1);
  EXPECT_FALSE(pump2.Pump());  // EPIPE
  EXPECT_FALSE(pump2.open());
}

TEST(StdioRelayTest, OutputGoesToTheSinkUntilItsEnd) {
  ::signal(SIGPIPE, SIG_IGN);
  Pipe out;
  std::string got;
  ASSERT_EQ(::write(out.fd[1], "abc", 3), 3);
  EXPECT_TRUE(RelayOutput(out.fd[0], [&](absl::string_view d) { got.append(d.data(), d.size()); }));
  EXPECT_EQ(got, "abc");
  out.CloseWrite();
  EXPECT_FALSE(
      RelayOutput(out.fd[0], [&](absl::string_view d) { got.append(d.data(), d.size()); }));
  Pipe target;
  EXPECT_TRUE(WriteAll(target.fd[1], "12345"));
  EXPECT_EQ(ReadSome(target.fd[0]), "12345");
  target.CloseRead();
  EXPECT_FALSE(WriteAll(target.fd[1], "x"));
}

}  // namespace
}  // namespace mydocker::process
