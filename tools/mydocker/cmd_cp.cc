// mydocker cp [-a] [-L] CONTAINER:SRC DEST|-   and   mydocker cp [-a] [-L] SRC|- CONTAINER:DEST
//
// Docker's rules: a directory is copied into an existing directory under its own name, its
// contents only when SRC ends in "/."; a missing DEST is created with SRC's content (its parent
// must exist); a file replaces a file; "-" is a tar stream on stdin or stdout. Both sides are tar
// streams (Container::CopyFrom/CopyTo, PackLocalPath/UnpackToLocalDir): the packer runs in a
// thread writing into a pipe the extractor reads.
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <memory>
#include <optional>
#include <string>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "cli_parse.h"
#include "commands.h"
#include "mydocker/local_copy.h"
#include "mydocker/status_macros.h"
#include "mydocker/unique_fd.h"

namespace mydocker::cli {
namespace {

struct CpFlags {
  bool archive = false;
  bool follow_link = false;
  bool quiet = false;
  std::string src;
  std::string dest;
};

// One side of the copy: a container's path, or a local one ("-" for a stream).
struct Side {
  std::string container;  // empty: local
  std::string path;
};

// Docker's rule: an absolute or "./"-relative path is local even with a colon in it; otherwise
// "NAME:PATH" names a container's path.
Side SplitArg(const std::string& arg) {
  if (absl::StartsWith(arg, "/") || absl::StartsWith(arg, ".")) return {"", arg};
  size_t colon = arg.find(':');
  if (colon == std::string::npos) return {"", arg};
  return {arg.substr(0, colon), arg.substr(colon + 1)};
}

std::string BaseOf(const std::string& path) {
  std::string p = path;
  while (absl::EndsWith(p, "/.") || (p.size() > 1 && absl::EndsWith(p, "/"))) {
    p.resize(absl::EndsWith(p, "/.") ? p.size() - 2 : p.size() - 1);
  }
  size_t slash = p.rfind('/');
  return slash == std::string::npos ? p : p.substr(slash + 1);
}

std::string DirOf(const std::string& path) {
  std::string p = path;
  while (p.size() > 1 && absl::EndsWith(p, "/")) p.pop_back();
  size_t slash = p.rfind('/');
  if (slash == std::string::npos) return ".";
  return slash == 0 ? "/" : p.substr(0, slash);
}

// Where a copy lands: the directory to unpack into and the name of the root entry there ("."
// for a directory's contents).
struct Landing {
  std::string dir;
  std::string name;
};

// Docker's destination rules, given what SRC is and what DEST is (nullopt: missing).
absl::StatusOr<Landing> Land(const std::string& src, bool src_is_dir, const std::string& dest,
                             std::optional<bool> dest_is_dir) {
  if (dest_is_dir.value_or(false)) {
    return Landing{dest, src_is_dir && absl::EndsWith(src, "/.") ? "." : BaseOf(src)};
  }
  if (dest_is_dir.has_value() && src_is_dir) {
    return absl::InvalidArgumentError(
        absl::StrCat("cannot overwrite non-directory \"", dest, "\" with directory \"", src, "\""));
  }
  if (!dest_is_dir.has_value() && !src_is_dir && absl::EndsWith(dest, "/")) {
    return absl::InvalidArgumentError(
        absl::StrCat("destination \"", dest, "\" does not exist and is not a directory"));
  }
  return Landing{DirOf(dest), BaseOf(dest)};
}

absl::Status FromContainer(Container& c, const CpFlags& flags, const Side& src,
                           const std::string& dest) {
  if (dest == "-") {
    return c.CopyFrom({src.path, flags.follow_link, ""}, STDOUT_FILENO);
  }
  MYDOCKER_ASSIGN_OR_RETURN(ContainerPathStat st, c.StatPath(src.path, flags.follow_link));
  struct stat local;
  std::optional<bool> dest_is_dir;
  if (::stat(dest.c_str(), &local) == 0) dest_is_dir = S_ISDIR(local.st_mode);
  MYDOCKER_ASSIGN_OR_RETURN(Landing to, Land(src.path, S_ISDIR(st.mode), dest, dest_is_dir));
  return RunThroughPipe(
      [&](int fd) {
        return c.CopyFrom({src.path, flags.follow_link, to.name}, fd);
      },
      [&](int fd) { return UnpackToLocalDir(to.dir, fd, flags.archive); });
}

absl::Status ToContainer(Container& c, const CpFlags& flags, const std::string& src,
                         const Side& dest) {
  if (src == "-") return c.CopyTo({dest.path, flags.archive}, STDIN_FILENO);
  struct stat local;
  int r = flags.follow_link ? ::stat(src.c_str(), &local) : ::lstat(src.c_str(), &local);
  if (r != 0) return LastErrnoError(absl::StrCat("lstat ", src));
  bool src_is_dir = S_ISDIR(local.st_mode);
  absl::StatusOr<ContainerPathStat> st = c.StatPath(dest.path, /*follow_link=*/true);
  if (!st.ok() && !absl::IsNotFound(st.status())) return st.status();
  std::optional<bool> dest_is_dir;
  if (st.ok()) dest_is_dir = S_ISDIR(st->mode);
  MYDOCKER_ASSIGN_OR_RETURN(Landing to, Land(src, src_is_dir, dest.path, dest_is_dir));
  bool follow = flags.follow_link || absl::EndsWith(src, "/") || absl::EndsWith(src, "/.");
  std::string name = to.name == "." ? "" : to.name;
  return RunThroughPipe([&](int fd) { return PackLocalPath(src, follow, name, fd); },
                        [&](int fd) {
                          return c.CopyTo({to.dir, flags.archive}, fd);
                        });
}

int Cp(Context& ctx, const CpFlags& flags) {
  Side src = SplitArg(flags.src);
  Side dest = SplitArg(flags.dest);
  absl::Status status;
  if (!src.container.empty() && !dest.container.empty()) {
    status = absl::InvalidArgumentError("copying between containers is not supported");
  } else if (src.container.empty() && dest.container.empty()) {
    status = absl::InvalidArgumentError("must specify at least one container source");
  }
  if (!status.ok()) {
    ctx.Fail(status, 1);
    return ctx.exit_code;
  }
  Runtime* rt = ctx.OpenRuntime();
  if (rt == nullptr) return ctx.exit_code;
  const Side& remote = src.container.empty() ? dest : src;
  auto c = rt->Get(remote.container);
  if (!c.ok()) {
    ctx.Fail(c.status(), 1);
    return ctx.exit_code;
  }
  ::signal(SIGPIPE, SIG_IGN);  // a closed reader is an error to report, not a silent death
  status = src.container.empty() ? ToContainer(**c, flags, src.path, dest)
                                 : FromContainer(**c, flags, src, dest.path);
  if (!status.ok()) ctx.Fail(status, 1);
  return ctx.exit_code;
}

}  // namespace

void RegisterCp(CLI::App& app, Context& ctx) {
  auto flags = std::make_shared<CpFlags>();
  CLI::App* cmd =
      app.add_subcommand("cp", "Copy files/folders between a container and the local filesystem");
  SetUsage(cmd,
           "[OPTIONS] CONTAINER:SRC_PATH DEST_PATH|-\n  mydocker cp [OPTIONS] SRC_PATH|- "
           "CONTAINER:DEST_PATH");
  cmd->add_flag("-a,--archive", flags->archive, "Archive mode (copy all uid/gid information)");
  cmd->add_flag("-L,--follow-link", flags->follow_link, "Always follow symbol link in SRC_PATH");
  cmd->add_flag("-q,--quiet", flags->quiet, "Suppress progress output (there is none)");
  cmd->add_option("src", flags->src, "CONTAINER:SRC_PATH, SRC_PATH or -")->required();
  cmd->add_option("dest", flags->dest, "DEST_PATH, - or CONTAINER:DEST_PATH")->required();
  cmd->callback([&ctx, flags] { ctx.exit_code = Cp(ctx, *flags); });
}

}  // namespace mydocker::cli
