#include "registry/credential_helper.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "absl/time/clock.h"
#include "host/helper_spawn.h"
#include "json_util.h"
#include "mydocker/fs_util.h"
#include "mydocker/status_macros.h"
#include "mydocker/unique_fd.h"

extern char** environ;

namespace mydocker::registry::credential_helper {
namespace {

constexpr char kNotFound[] = "credentials not found in native keychain";
constexpr size_t kMaxOutput = 64 << 10;
constexpr absl::Duration kTimeout = absl::Seconds(60);

// A helper name is one path component of a program name.
bool ValidName(const std::string& name) {
  return !name.empty() && name.find('/') == std::string::npos && name != "." && name != "..";
}

// docker-credential-<name> on $PATH.
absl::StatusOr<std::string> ProgramPath(const std::string& name) {
  std::string program = absl::StrCat("docker-credential-", name);
  if (!ValidName(name)) {
    return absl::InvalidArgumentError(
        absl::StrCat("invalid credential helper name \"", name, "\""));
  }
  const char* path = std::getenv("PATH");
  for (absl::string_view dir : absl::StrSplit(path != nullptr ? path : "", ':')) {
    if (dir.empty()) continue;
    std::string candidate = absl::StrCat(dir, "/", program);
    if (::access(candidate.c_str(), X_OK) == 0) return candidate;
  }
  return absl::NotFoundError(absl::StrCat("credential helper ", program,
                                          " (named by the credentials file) not found in $PATH"));
}

// Reads `fd` to its end (at most kMaxOutput bytes, within `deadline`).
absl::StatusOr<std::string> ReadOutput(int fd, absl::Time deadline) {
  std::string out;
  char buf[4096];
  for (;;) {
    struct pollfd p = {fd, POLLIN, 0};
    int left = static_cast<int>(absl::ToInt64Milliseconds(deadline - absl::Now()));
    int r = left > 0 ? ::poll(&p, 1, left) : 0;
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) return absl::DeadlineExceededError("timed out");
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return LastErrnoError("read");
    if (n == 0) return out;
    out.append(buf, static_cast<size_t>(n));
    if (out.size() > kMaxOutput) return absl::ResourceExhaustedError("too much output");
  }
}

void SendAll(int fd, absl::string_view data) {
  while (!data.empty()) {
    ssize_t n = ::send(fd, data.data(), data.size(), MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;
    data.remove_prefix(static_cast<size_t>(n));
  }
}

struct Outcome {
  bool ok = false;
  std::string out;  // stdout, whitespace trimmed
};

// Runs the helper with `action`, `input` on its stdin; its stderr is the caller's.
absl::StatusOr<Outcome> Run(const std::string& name, const char* action, const std::string& input) {
  MYDOCKER_ASSIGN_OR_RETURN(std::string program, ProgramPath(name));
  // stdin is a socket: writing to a helper that exited unread then fails with EPIPE
  // (MSG_NOSIGNAL) instead of raising SIGPIPE in the caller's process.
  int in[2], out[2];
  if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, in) != 0) {
    return LastErrnoError("socketpair");
  }
  UniqueFd in_read(in[0]), in_write(in[1]);
  if (::pipe2(out, O_CLOEXEC) != 0) return LastErrnoError("pipe");
  UniqueFd out_read(out[0]), out_write(out[1]);
  const int stdio[3] = {in_read.get(), out_write.get(), 2};
  MYDOCKER_ASSIGN_OR_RETURN(pid_t pid, SpawnInNewSession({program, action}, environ, stdio, {}));
  in_read.reset();
  out_write.reset();
  // The input is far smaller than the socket's buffer; a helper that exits without reading it
  // is judged by its exit status.
  SendAll(in_write.get(), input);
  in_write.reset();
  absl::StatusOr<std::string> text = ReadOutput(out_read.get(), absl::Now() + kTimeout);
  if (!text.ok()) ::kill(pid, SIGKILL);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (!text.ok())
    return absl::Status(text.status().code(), absl::StrCat(program, ": ", text.status().message()));
  return Outcome{WIFEXITED(status) && WEXITSTATUS(status) == 0,
                 std::string(absl::StripAsciiWhitespace(*text))};
}

absl::Status Failed(const std::string& name, const char* action, const std::string& out) {
  std::string first = out.substr(0, out.find('\n'));
  return absl::UnavailableError(absl::StrCat("docker-credential-", name, " ", action, " failed",
                                             first.empty() ? "" : ": ", first));
}

std::string Field(const rapidjson::Value& v, const char* name) {
  auto it = v.FindMember(name);
  return it != v.MemberEnd() && it->value.IsString() ? it->value.GetString() : "";
}

}  // namespace

std::string HelperFor(const rapidjson::Document& doc, const std::string& key) {
  if (!doc.IsObject()) return "";
  absl::string_view host = key;
  for (absl::string_view scheme : {"https://", "http://"}) absl::ConsumePrefix(&host, scheme);
  host = host.substr(0, host.find('/'));
  auto helpers = doc.FindMember("credHelpers");
  if (helpers != doc.MemberEnd() && helpers->value.IsObject()) {
    auto it = helpers->value.FindMember(rapidjson::StringRef(host.data(), host.size()));
    if (it != helpers->value.MemberEnd() && it->value.IsString()) return it->value.GetString();
  }
  return Field(doc, "credsStore");
}

absl::StatusOr<std::optional<Credentials>> Get(const std::string& helper, const std::string& key) {
  MYDOCKER_ASSIGN_OR_RETURN(Outcome r, Run(helper, "get", key));
  if (!r.ok && r.out == kNotFound) return std::nullopt;
  if (!r.ok) return Failed(helper, "get", r.out);
  rapidjson::Document doc;
  std::string what = absl::StrCat("the output of docker-credential-", helper, " get");
  MYDOCKER_RETURN_IF_ERROR(json::Parse(r.out, what.c_str(), &doc));
  if (!doc.IsObject()) return absl::InvalidArgumentError(absl::StrCat(what, " is no object"));
  Credentials c{Field(doc, "Username"), Field(doc, "Secret")};
  if (c.username.empty() || c.username == "<token>") return std::nullopt;
  return c;
}

absl::Status Store(const std::string& helper, const std::string& key,
                   const Credentials& credentials) {
  rapidjson::StringBuffer buffer;
  json::Writer w(buffer);
  w.StartObject();
  json::KeyString(w, "ServerURL", key);
  json::KeyString(w, "Username", credentials.username);
  json::KeyString(w, "Secret", credentials.password);
  w.EndObject();
  MYDOCKER_ASSIGN_OR_RETURN(Outcome r, Run(helper, "store", buffer.GetString()));
  return r.ok ? absl::OkStatus() : Failed(helper, "store", r.out);
}

absl::StatusOr<bool> Erase(const std::string& helper, const std::string& key) {
  MYDOCKER_ASSIGN_OR_RETURN(Outcome r, Run(helper, "erase", key));
  if (!r.ok && r.out == kNotFound) return false;
  if (!r.ok) return Failed(helper, "erase", r.out);
  return true;
}

}  // namespace mydocker::registry::credential_helper
