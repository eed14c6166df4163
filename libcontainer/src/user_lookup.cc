#include "user_lookup.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/xattr.h>

#include <optional>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "in_root.h"
#include "mydocker/status_macros.h"

namespace mydocker {
namespace {

constexpr size_t kMaxFileSize = 1 << 20;

// The fields of the line of a passwd/group style file whose field `key` is `value`.
std::optional<std::vector<std::string>> FindLine(const std::string& file, size_t key,
                                                 absl::string_view value) {
  for (absl::string_view line : absl::StrSplit(file, '\n')) {
    std::vector<std::string> fields = absl::StrSplit(line, ':');
    if (fields.size() > key && fields[key] == value) return fields;
  }
  return std::nullopt;
}

// The numeric field `field` of the line whose first field is `name`.
std::optional<uint32_t> LookUp(const std::string& file, const std::string& name, size_t field) {
  auto fields = FindLine(file, 0, name);
  uint32_t value;
  if (!fields || fields->size() <= field || !absl::SimpleAtoi((*fields)[field], &value)) {
    return std::nullopt;
  }
  return value;
}

// Layer contents come from images, so nothing here follows a symlink.
bool IsWhiteout(const std::string& layer, const std::string& path) {
  struct stat st;
  return ::lstat((layer + path).c_str(), &st) == 0 && S_ISCHR(st.st_mode) && st.st_rdev == 0;
}

// Whether an opaque directory on the way to `path` hides the layers below.
bool OpaqueOnTheWay(const std::string& layer, const std::string& path) {
  for (size_t slash = path.find('/', 1); slash != std::string::npos;
       slash = path.find('/', slash + 1)) {
    char value[2] = {};
    std::string dir = layer + path.substr(0, slash);
    if (::lgetxattr(dir.c_str(), "trusted.overlay.opaque", value, sizeof value) == 1 &&
        value[0] == 'y') {
      return true;
    }
  }
  return false;
}

// setresuid(2) and setresgid(2) read (uid_t)-1 as "leave unchanged", so 4294967295 would run
// the process as root; ids above INT32_MAX are refused as Docker and runc refuse them.
absl::Status CheckId(uint32_t id, const char* kind, absl::string_view name) {
  if (id <= 2147483647u) return absl::OkStatus();
  return absl::InvalidArgumentError(
      absl::StrCat(kind, " ", id, " of ", name, " is out of range (0 to 2147483647)"));
}

}  // namespace

absl::Status ResolveUser(const std::string& spec, const ContainerFileReader& read, UserSpec* user,
                         std::string* home) {
  std::pair<std::string, std::string> ug = absl::StrSplit(spec, absl::MaxSplits(':', 1));
  uint32_t n;
  bool numeric = absl::SimpleAtoi(ug.first, &n);
  absl::StatusOr<std::string> passwd = absl::NotFoundError("/etc/passwd");
  if (!numeric || home != nullptr) passwd = read("/etc/passwd");
  if (numeric) {
    user->uid = n;
  } else {
    auto uid = passwd.ok() ? LookUp(*passwd, ug.first, 2) : std::nullopt;
    if (!uid) return absl::InvalidArgumentError(absl::StrCat("unable to find user ", ug.first));
    user->uid = *uid;
    user->gid = LookUp(*passwd, ug.first, 3).value_or(0);
    MYDOCKER_RETURN_IF_ERROR(CheckId(user->gid, "gid", ug.first));
  }
  MYDOCKER_RETURN_IF_ERROR(CheckId(user->uid, "uid", ug.first));
  auto line = passwd.ok() ? FindLine(*passwd, 2, absl::StrCat(user->uid)) : std::nullopt;
  if (home != nullptr && line && line->size() > 5 && !(*line)[5].empty()) *home = (*line)[5];
  if (ug.second.empty()) return absl::OkStatus();
  MYDOCKER_ASSIGN_OR_RETURN(user->gid, ResolveGroup(ug.second, read));
  return absl::OkStatus();
}

absl::StatusOr<uint32_t> ResolveGroup(const std::string& spec, const ContainerFileReader& read) {
  uint32_t gid;
  if (!absl::SimpleAtoi(spec, &gid)) {
    auto group = read("/etc/group");
    auto found = group.ok() ? LookUp(*group, spec, 2) : std::nullopt;
    if (!found) return absl::InvalidArgumentError(absl::StrCat("unable to find group ", spec));
    gid = *found;
  }
  MYDOCKER_RETURN_IF_ERROR(CheckId(gid, "gid", spec));
  return gid;
}

absl::StatusOr<std::string> ReadFromLayers(const std::vector<std::string>& layer_dirs,
                                           const std::string& path) {
  for (const std::string& layer : layer_dirs) {
    UniqueFd root(::open(layer.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
    if (!root) return LastErrnoError(absl::StrCat("open layer ", layer));
    if (IsWhiteout(layer, path)) break;
    absl::StatusOr<std::string> data = ReadInRoot(root.get(), path, kMaxFileSize);
    if (!absl::IsNotFound(data.status())) return data;
    if (OpaqueOnTheWay(layer, path)) break;
  }
  return absl::NotFoundError(absl::StrCat(path, " is not in the image"));
}

}  // namespace mydocker
