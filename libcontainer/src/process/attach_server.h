// The monitor's side of `attach`: clients that connect to the attach socket of a running
// container (see protocol.h). Output goes to every client, input comes from any client that
// sends it, signals and window sizes from any. Nothing here blocks the monitor's poll loop: a
// client that does not read gets its output queued; while more than kHighWater bytes wait for
// one, the monitor stops reading the container's output (the container slows down to the
// clients' pace, as with Docker, but the loop goes on), and a client that has taken nothing for
// kStall then is dropped, so one stalled client never holds the container or the others.
#ifndef MYDOCKER_PROCESS_ATTACH_SERVER_H_
#define MYDOCKER_PROCESS_ATTACH_SERVER_H_

#include <poll.h>

#include <deque>
#include <functional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "mydocker/unique_fd.h"

namespace mydocker::process {

class AttachServer {
 public:
  static constexpr size_t kHighWater = 1 << 20;
  static constexpr size_t kMaxQueued = 8 << 20;  // dropped at once past this
  static constexpr absl::Duration kStall = absl::Seconds(5);

  struct Callbacks {
    std::function<void(int)> signal;
    std::function<void(int rows, int cols)> resize;
  };

  // Listens on kAttachSocketName in the directory `dir_fd` (any path length: it is bound
  // through /proc/self/fd).
  // Clients may connect from then on; they are served from the first Handle().
  absl::Status Listen(int dir_fd);
  // The container's stdin (non-blocking; not owned), or -1 when it takes no input.
  void SetInput(int fd) { input_fd_ = fd; }
  // Appends what to poll for; Handle() then reads the entries from `first` on.
  void AddPollFds(std::vector<struct pollfd>& fds) const;
  void Handle(const std::vector<struct pollfd>& fds, size_t first, const Callbacks& callbacks);
  // Queues output of stream 1 (stdout) or 2 (stderr) for every client.
  void Output(int stream, absl::string_view data);
  // Tells every client the exit code (waiting at most a second for slow ones), then closes
  // the socket and removes it.
  void Exited(int code);
  size_t clients() const { return clients_.size(); }
  // True while a client has more than kHighWater bytes queued: read no more output for now.
  bool Backlogged() const;
  // Drops the backlogged clients that took nothing since `now - kStall`.
  void DropStalled(absl::Time now);

 private:
  struct Client {
    UniqueFd sock;
    bool input = false;
    std::deque<std::string> queued;
    size_t queued_bytes = 0;
    absl::Time progress = absl::Now();  // when it last took output (or had none waiting)
    bool gone = false;
  };
  void Accept();
  void Receive(Client& client, const Callbacks& callbacks);
  void Flush(Client& client);
  void Send(Client& client, std::string frame);
  void WriteInput();

  UniqueFd listen_;
  int dir_fd_ = -1;
  int input_fd_ = -1;
  std::string input_;  // waiting for the container to read
  std::vector<Client> clients_;
};

}  // namespace mydocker::process

#endif  // MYDOCKER_PROCESS_ATTACH_SERVER_H_
