#include "process/attach_server.h"

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "mydocker/status_macros.h"
#include "process/protocol.h"

namespace mydocker::process {
namespace {

// No more than this much input waits for the container: until it is read, no client is read.
constexpr size_t kMaxInput = 64 * 1024;

std::string SocketPath(int dir_fd) {
  return absl::StrCat("/proc/self/fd/", dir_fd, "/", kAttachSocketName);
}

}  // namespace

absl::Status AttachServer::Listen(int dir_fd) {
  dir_fd_ = dir_fd;
  listen_.reset(::socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
  if (!listen_) return LastErrnoError("attach socket");
  struct sockaddr_un addr = {};
  addr.sun_family = AF_UNIX;
  std::string path = SocketPath(dir_fd);
  std::memcpy(addr.sun_path, path.c_str(), path.size() + 1);
  ::unlinkat(dir_fd, kAttachSocketName, 0);  // a crashed monitor's
  if (::bind(listen_.get(), reinterpret_cast<struct sockaddr*>(&addr), sizeof addr) != 0 ||
      ::listen(listen_.get(), 16) != 0) {
    return LastErrnoError("listen on the attach socket");
  }
  return absl::OkStatus();
}

void AttachServer::AddPollFds(std::vector<struct pollfd>& fds) const {
  if (!listen_) return;
  fds.push_back({listen_.get(), POLLIN, 0});
  bool read_clients = input_.size() < kMaxInput;
  for (const Client& c : clients_) {
    short events =
        static_cast<short>((read_clients ? POLLIN : 0) | (c.queued.empty() ? 0 : POLLOUT));
    fds.push_back({c.sock.get(), events, 0});
  }
  if (!input_.empty() && input_fd_ >= 0) fds.push_back({input_fd_, POLLOUT, 0});
}

void AttachServer::Handle(const std::vector<struct pollfd>& fds, size_t first,
                          const Callbacks& callbacks) {
  if (!listen_ || first >= fds.size()) return;
  bool accept = fds[first].revents != 0;
  size_t count = clients_.size();  // the entries AddPollFds made, before any change here
  for (size_t i = 0; i < count && first + 1 + i < fds.size(); ++i) {
    short ev = fds[first + 1 + i].revents;
    if (clients_[i].gone) continue;
    if (ev & POLLOUT) Flush(clients_[i]);
    if (ev & POLLIN) {
      Receive(clients_[i], callbacks);
    } else if (ev & (POLLHUP | POLLERR)) {
      clients_[i].gone = true;
    }
  }
  size_t input_i = first + 1 + count;
  if (input_i < fds.size() && fds[input_i].fd == input_fd_ && fds[input_i].revents) WriteInput();
  clients_.erase(
      std::remove_if(clients_.begin(), clients_.end(), [](const Client& c) { return c.gone; }),
      clients_.end());
  if (accept) Accept();
}

void AttachServer::Accept() {
  for (;;) {
    UniqueFd sock(::accept4(listen_.get(), nullptr, nullptr, SOCK_CLOEXEC | SOCK_NONBLOCK));
    if (!sock) return;
    clients_.push_back(Client{std::move(sock)});
  }
}

void AttachServer::Receive(Client& client, const Callbacks& callbacks) {
  auto frame = ReceiveFrame(client.sock.get());
  if (!frame.ok()) {  // end of stream (the client detached or ended) or an error
    client.gone = true;
    return;
  }
  const FrameHeader& h = frame->header;
  switch (h.type) {
    case FrameType::kHello:
      client.input = (h.value & kAttachStdin) != 0;
      break;
    case FrameType::kInput:
      if (client.input && input_fd_ >= 0) {
        input_ += frame->data;
        WriteInput();
      }
      break;
    case FrameType::kSignal:
      if (callbacks.signal) callbacks.signal(h.value);
      break;
    case FrameType::kResize:
      if (callbacks.resize) callbacks.resize(h.value, h.value2);
      break;
    default:
      client.gone = true;
  }
}

void AttachServer::WriteInput() {
  while (!input_.empty() && input_fd_ >= 0) {
    ssize_t n = ::write(input_fd_, input_.data(), input_.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && errno == EAGAIN) return;
    if (n <= 0) {  // the container closed its input
      input_.clear();
      input_fd_ = -1;
      return;
    }
    input_.erase(0, static_cast<size_t>(n));
  }
}

void AttachServer::Flush(Client& client) {
  while (!client.queued.empty()) {
    const std::string& frame = client.queued.front();
    ssize_t n = ::send(client.sock.get(), frame.data(), frame.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == ENOBUFS)) return;
    if (n < 0) {
      client.gone = true;
      return;
    }
    client.queued_bytes -= frame.size();
    client.queued.pop_front();
    client.progress = absl::Now();
  }
}

bool AttachServer::Backlogged() const {
  return std::any_of(clients_.begin(), clients_.end(),
                     [](const Client& c) { return !c.gone && c.queued_bytes > kHighWater; });
}

void AttachServer::DropStalled(absl::Time now) {
  for (Client& c : clients_) {
    if (c.queued_bytes > kHighWater && now - c.progress > kStall) c.gone = true;
  }
}

void AttachServer::Send(Client& client, std::string frame) {
  if (client.gone) return;
  if (client.queued.empty()) client.progress = absl::Now();
  client.queued_bytes += frame.size();
  client.queued.push_back(std::move(frame));
  Flush(client);
  if (client.queued_bytes > kMaxQueued) client.gone = true;  // too slow: dropped, never waited for
}

void AttachServer::Output(int stream, absl::string_view data) {
  if (clients_.empty()) return;
  while (!data.empty()) {
    absl::string_view part = data.substr(0, kMaxFramePayload);
    std::string frame = EncodeFrame(FrameType::kOutput, stream, part);
    for (Client& c : clients_) Send(c, frame);
    data.remove_prefix(part.size());
  }
  // Clients that went are removed by Handle(), whose poll entries follow clients_ by index.
}

void AttachServer::Exited(int code) {
  if (!listen_) return;
  Accept();  // those that connected just now hear the end too
  listen_.reset();
  ::unlinkat(dir_fd_, kAttachSocketName, 0);
  std::string frame = EncodeFrame(FrameType::kExited, code);
  for (Client& c : clients_) Send(c, frame);
  const absl::Time deadline = absl::Now() + absl::Seconds(1);
  for (Client& c : clients_) {
    while (!c.gone && !c.queued.empty() && absl::Now() < deadline) {
      struct pollfd p = {c.sock.get(), POLLOUT, 0};
      ::poll(&p, 1, 100);
      Flush(c);
    }
  }
  clients_.clear();
}

}  // namespace mydocker::process
