#include "ps_output.h"

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "mydocker/status_macros.h"
#include "mydocker/unique_fd.h"

namespace mydocker::cli {

absl::Status CheckPsArgs(const std::vector<std::string>& args) {
  // As Docker: no column but pid may be renamed PID (-o user=PID), which would mislead the
  // filtering below.
  for (const std::string& arg : args) {
    for (absl::string_view spec : absl::StrSplit(arg, ',')) {
      size_t eq = spec.find('=');
      if (eq == absl::string_view::npos) continue;
      absl::string_view key = spec.substr(0, eq);
      size_t space = key.find_last_of(" \t");
      if (space != absl::string_view::npos) key = key.substr(space + 1);
      absl::string_view value = absl::StripLeadingAsciiWhitespace(spec.substr(eq + 1));
      if (absl::StartsWith(value, "PID") && key != "pid") {
        return absl::InvalidArgumentError(
            absl::StrCat("specifying \"", key, "=", value, "\" is not allowed"));
      }
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<std::vector<std::vector<std::string>>> FilterPsOutput(absl::string_view output,
                                                                     const std::set<int>& pids) {
  std::vector<absl::string_view> lines = absl::StrSplit(output, '\n');
  std::vector<std::string> titles = absl::StrSplit(lines[0], ' ', absl::SkipWhitespace());
  auto pid_column = std::find(titles.begin(), titles.end(), "PID");
  if (pid_column == titles.end()) {
    return absl::InvalidArgumentError("couldn't find PID field in ps output");
  }
  size_t pid_index = static_cast<size_t>(pid_column - titles.begin());
  std::vector<std::vector<std::string>> rows = {titles};
  for (size_t i = 1; i < lines.size(); ++i) {
    std::vector<std::string> fields = absl::StrSplit(lines[i], ' ', absl::SkipWhitespace());
    if (fields.empty()) continue;
    int pid = 0;
    if (fields.size() <= pid_index || !absl::SimpleAtoi(fields[pid_index], &pid)) {
      return absl::InvalidArgumentError(absl::StrCat(
          "unexpected pid '", fields.size() <= pid_index ? "" : fields[pid_index], "'"));
    }
    if (!pids.count(pid)) continue;
    // The last column (a command line) keeps its spaces.
    if (fields.size() > titles.size()) {
      std::string last = absl::StrJoin(fields.begin() + titles.size() - 1, fields.end(), " ");
      fields.resize(titles.size() - 1);
      fields.push_back(std::move(last));
    }
    rows.push_back(std::move(fields));
  }
  return rows;
}

// The output of the host's `ps ARGS` (stderr passed through).
absl::StatusOr<std::string> RunPs(const std::vector<std::string>& args) {
  int pipe_fds[2];
  if (::pipe2(pipe_fds, O_CLOEXEC) != 0) return LastErrnoError("pipe");
  UniqueFd read_end(pipe_fds[0]), write_end(pipe_fds[1]);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, write_end.get(), STDOUT_FILENO);
  std::vector<std::string> argv_strings = {"ps"};
  argv_strings.insert(argv_strings.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (std::string& a : argv_strings) argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_t pid = -1;
  int err = ::posix_spawnp(&pid, "ps", &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  write_end.reset();
  if (err != 0) return ErrnoError(err, "run ps");
  std::string out;
  char buf[65536];
  for (ssize_t n; (n = ::read(read_end.get(), buf, sizeof buf)) != 0;) {
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) break;
    out.append(buf, static_cast<size_t>(n));
  }
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    return absl::InvalidArgumentError(absl::StrCat("ps ", absl::StrJoin(args, " "),
                                                   " failed (status ", WEXITSTATUS(status), ")"));
  }
  return out;
}

}  // namespace mydocker::cli
