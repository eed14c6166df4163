#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "mydocker/helper.h"
#include "process/monitor.h"

namespace mydocker::process {

std::vector<std::string> MonitorArgv(const std::string& helper, const MonitorRequest& request) {
  std::vector<std::string> argv = {helper, kMonitorMode, "--root", request.root};
  if (request.await_id) {
    // Room for the id, written there once it comes (AwaitContainerId): `ps` then shows which
    // container a monitor is for, as with --id.
    argv.push_back("--await-id");
    argv.push_back(std::string(kContainerIdLength, '_'));
  } else {
    argv.push_back("--id");
    argv.push_back(request.id);
  }
  if (request.attach) argv.push_back("--attach");
  if (request.relay_stdin) argv.push_back("--stdin");
  if (!request.detach_keys.empty()) {
    argv.push_back("--detach-keys");
    argv.push_back(absl::BytesToHexString(request.detach_keys));  // ctrl-@ is a NUL byte
  }
  if (request.console_size) {
    argv.push_back("--console-size");
    argv.push_back(absl::StrCat(request.console_size->height, "x", request.console_size->width));
  }
  if (!request.cgroup.v2_root_override.empty()) {
    argv.push_back("--cgroup-v2-root");
    argv.push_back(request.cgroup.v2_root_override);
  }
  for (const auto& [controller, dir] : request.cgroup.v1_roots_override) {
    argv.push_back("--cgroup-v1-root");
    argv.push_back(absl::StrCat(controller, "=", dir));
  }
  if (!request.mount_setattr) argv.push_back("--no-mount-setattr");
  return argv;
}

absl::StatusOr<MonitorRequest> ParseMonitorArgv(int argc, char** argv) {
  MonitorRequest r;
  for (int i = 2; i < argc; ++i) {
    absl::string_view arg = argv[i];
    bool has_value = i + 1 < argc;
    if (arg == "--root" && has_value) {
      r.root = argv[++i];
    } else if (arg == "--id" && has_value) {
      r.id = argv[++i];
    } else if (arg == "--await-id" && has_value) {
      r.await_id = true;
      r.id_slot = argv[++i];
    } else if (arg == "--attach") {
      r.attach = true;
    } else if (arg == "--no-mount-setattr") {
      r.mount_setattr = false;
    } else if (arg == "--stdin") {
      r.relay_stdin = true;
    } else if (arg == "--detach-keys" && has_value) {
      absl::string_view hex = argv[++i];
      if (hex.size() % 2 != 0 || hex.find_first_not_of("0123456789abcdef") != hex.npos) {
        return absl::InvalidArgumentError(absl::StrCat("bad detach keys \"", hex, "\""));
      }
      r.detach_keys = absl::HexStringToBytes(hex);
    } else if (arg == "--console-size" && has_value) {
      std::pair<std::string, std::string> hw = absl::StrSplit(argv[++i], 'x');
      uint32_t h = 0, w = 0;
      if (!absl::SimpleAtoi(hw.first, &h) || !absl::SimpleAtoi(hw.second, &w) || h > 65535 ||
          w > 65535) {
        return absl::InvalidArgumentError(absl::StrCat("bad console size \"", argv[i], "\""));
      }
      r.console_size = ConsoleSize{static_cast<uint16_t>(h), static_cast<uint16_t>(w)};
    } else if (arg == "--cgroup-v2-root" && has_value) {
      r.cgroup.v2_root_override = argv[++i];
    } else if (arg == "--cgroup-v1-root" && has_value) {
      std::pair<std::string, std::string> kv = absl::StrSplit(argv[++i], absl::MaxSplits('=', 1));
      if (kv.first.empty() || kv.second.empty()) {
        return absl::InvalidArgumentError(absl::StrCat("bad cgroup root \"", argv[i], "\""));
      }
      r.cgroup.v1_roots_override.push_back(std::move(kv));
    } else {
      return absl::InvalidArgumentError(absl::StrCat("unknown monitor argument \"", arg, "\""));
    }
  }
  if (r.root.empty() || r.id.empty() == !r.await_id) {
    return absl::InvalidArgumentError("monitor needs --root and one of --id and --await-id");
  }
  return r;
}

}  // namespace mydocker::process
