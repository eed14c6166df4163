// --mount and --tmpfs (Docker's syntax) as VolumeSpecs; Runtime::Create turns them into mounts.
#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "mydocker/resources.h"
#include "mydocker/status_macros.h"
#include "mydocker/volume_store.h"

namespace mydocker {
namespace {

// Mount flags a tmpfs may be given (and their opposites).
constexpr absl::string_view kTmpfsFlags[] = {
    "ro",       "rw",       "nosuid",     "suid",        "nodev",         "dev",     "noexec",
    "exec",     "sync",     "async",      "dirsync",     "noatime",       "atime",   "nodiratime",
    "diratime", "relatime", "norelatime", "strictatime", "nostrictatime", "private", "rprivate",
    "shared",   "rshared",  "slave",      "rslave"};

// Go's strconv.ParseBool, as Docker reads "ro=..." and "volume-nocopy=...".
bool ParseGoBool(absl::string_view text, bool* out) {
  for (absl::string_view t : {"1", "t", "T", "true", "TRUE", "True"}) {
    if (text == t) return *out = true;
  }
  for (absl::string_view f : {"0", "f", "F", "false", "FALSE", "False"}) {
    if (text == f) {
      *out = false;
      return true;
    }
  }
  return false;
}

// A tmpfs size: Docker's units (RAMInBytes, as bytes) or a percentage of memory.
absl::StatusOr<std::string> TmpfsSize(absl::string_view value) {
  int percent = 0;
  if (absl::EndsWith(value, "%") && absl::SimpleAtoi(value.substr(0, value.size() - 1), &percent) &&
      percent > 0 && percent <= 100) {
    return std::string(value);
  }
  absl::StatusOr<int64_t> bytes = ParseMemorySize(value);
  if (!bytes.ok() || *bytes <= 0) return absl::InvalidArgumentError("");
  return absl::StrCat(*bytes);
}

// A tmpfs mode: octal permission bits.
bool TmpfsMode(absl::string_view value, uint32_t* mode) {
  if (value.empty() || value.size() > 12) return false;
  uint64_t m = 0;
  for (char c : value) {
    if (c < '0' || c > '7') return false;
    m = m * 8 + static_cast<uint64_t>(c - '0');
  }
  *mode = static_cast<uint32_t>(m);
  return m <= 07777;
}

// One --tmpfs option, checked and in the form mount(2) takes.
absl::StatusOr<std::string> TmpfsOption(absl::string_view option) {
  auto bad = [&] {
    return absl::InvalidArgumentError(
        absl::StrCat("invalid tmpfs option \"", absl::CHexEscape(option), "\""));
  };
  if (std::find(std::begin(kTmpfsFlags), std::end(kTmpfsFlags), option) != std::end(kTmpfsFlags)) {
    return std::string(option);
  }
  std::pair<std::string, std::string> kv = absl::StrSplit(option, absl::MaxSplits('=', 1));
  const std::string& value = kv.second;
  uint32_t number = 0;
  if (kv.first == "size") {
    absl::StatusOr<std::string> size = TmpfsSize(value);
    if (!size.ok()) return bad();
    return absl::StrCat("size=", *size);
  }
  if (kv.first == "mode") {
    if (!TmpfsMode(value, &number)) return bad();
    return absl::StrCat("mode=", value);
  }
  if ((kv.first == "uid" || kv.first == "gid") && absl::SimpleAtoi(value, &number)) {
    return std::string(option);
  }
  if ((kv.first == "nr_inodes" || kv.first == "nr_blocks") && !value.empty() &&
      ParseMemorySize(value).ok()) {
    return std::string(option);
  }
  if (kv.first == "mpol" && !value.empty() && value.find_first_of(" \t\n") == std::string::npos) {
    return std::string(option);
  }
  return bad();
}

// The destination rules -v has (absolute, no "..", not "/").
absl::Status CheckDestination(const std::string& dest, absl::string_view what) {
  auto bad = [&](absl::string_view why) {
    return absl::InvalidArgumentError(absl::StrCat(what, ": ", why));
  };
  if (dest.empty() || dest[0] != '/') {
    return bad(absl::StrCat("invalid mount path: '", dest, "' mount path must be absolute"));
  }
  for (absl::string_view part : absl::StrSplit(dest, '/', absl::SkipEmpty())) {
    if (part == "..") return bad("the destination must not contain \"..\"");
  }
  if (dest.find_first_not_of('/') == std::string::npos) return bad("cannot mount on /");
  return absl::OkStatus();
}

// The fields of a --mount value: CSV, as Docker reads it ("a=b,\"c=d,e\"").
absl::StatusOr<std::vector<std::string>> CsvFields(absl::string_view text) {
  std::vector<std::string> fields(1);
  bool quoted = false;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '"' && quoted && i + 1 < text.size() && text[i + 1] == '"') {
      fields.back() += '"';
      ++i;
    } else if (c == '"' && (quoted || fields.back().empty())) {
      quoted = !quoted;
    } else if (c == ',' && !quoted) {
      fields.emplace_back();
    } else {
      fields.back() += c;
    }
  }
  if (quoted) return absl::InvalidArgumentError("extraneous or missing \" in quoted-field");
  return fields;
}

struct MountFields {
  std::string type = "volume";
  std::string source, target;
  bool readonly = false, nocopy = false, nonrecursive = false;
  std::string propagation, tmpfs_size, tmpfs_mode;
  std::vector<std::string> volume_keys, bind_keys, tmpfs_keys;  // the type-specific keys given
};

// One field of --mount: sets `m` or says why not, in Docker's words.
absl::Status MountField(const std::string& field, MountFields& m) {
  size_t eq = field.find('=');
  std::string key = field.substr(0, eq);
  std::string val = eq == std::string::npos ? "" : field.substr(eq + 1);
  auto invalid_value = [&] {
    return absl::InvalidArgumentError(absl::StrCat("invalid value for ", key, ": ", val));
  };
  bool flag = true;
  if (eq == std::string::npos) {
    if (key != "readonly" && key != "ro" && key != "volume-nocopy" && key != "bind-nonrecursive") {
      return absl::InvalidArgumentError(
          absl::StrCat("invalid field '", field, "' must be a key=value pair"));
    }
  } else if ((key == "readonly" || key == "ro" || key == "volume-nocopy" ||
              key == "bind-nonrecursive") &&
             !ParseGoBool(val, &flag)) {
    return invalid_value();
  }
  if (absl::StartsWith(key, "volume-")) m.volume_keys.push_back(key);
  if (absl::StartsWith(key, "bind-")) m.bind_keys.push_back(key);
  if (absl::StartsWith(key, "tmpfs-")) m.tmpfs_keys.push_back(key);
  if (key == "type") {
    m.type = absl::AsciiStrToLower(val);
  } else if (key == "source" || key == "src") {
    m.source = val;
  } else if (key == "target" || key == "dst" || key == "destination") {
    m.target = val;
  } else if (key == "readonly" || key == "ro") {
    m.readonly = flag;
  } else if (key == "volume-nocopy") {
    m.nocopy = flag;
  } else if (key == "bind-nonrecursive") {
    m.nonrecursive = flag;
  } else if (key == "bind-propagation") {
    m.propagation = absl::AsciiStrToLower(val);
  } else if (key == "tmpfs-size") {
    if (!TmpfsSize(val).ok() || absl::EndsWith(val, "%")) return invalid_value();
    m.tmpfs_size = val;
  } else if (key == "tmpfs-mode") {
    uint32_t mode = 0;
    if (!TmpfsMode(val, &mode)) return invalid_value();
    m.tmpfs_mode = val;
  } else if (key == "consistency") {
    // Docker for Mac's; ignored on Linux, as by Docker.
  } else if (key == "volume-driver" && val == "local") {
  } else if (key == "volume-opt" || key == "volume-driver" || key == "volume-label" ||
             key == "volume-subpath") {
    return absl::InvalidArgumentError(absl::StrCat("invalid mount config: ", key,
                                                   " is not supported (volumes are local "
                                                   "directories without options)"));
  } else {
    return absl::InvalidArgumentError(absl::StrCat("unexpected key '", key, "' in '", field, "'"));
  }
  return absl::OkStatus();
}

// The checks Docker's client makes after the fields, then the daemon's for the type.
absl::StatusOr<VolumeSpec> MountSpecOf(const MountFields& m) {
  for (const auto& [keys, type] :
       {std::pair{&m.volume_keys, "volume"}, std::pair{&m.bind_keys, "bind"},
        std::pair{&m.tmpfs_keys, "tmpfs"}}) {
    if (!keys->empty() && m.type != type) {
      return absl::InvalidArgumentError(
          absl::StrCat("cannot mix '", type, "-*' options with mount type '", m.type, "'"));
    }
  }
  if (m.type.empty()) return absl::InvalidArgumentError("type is required");
  if (m.target.empty()) return absl::InvalidArgumentError("target is required");
  const std::string what = absl::StrCat("invalid mount config for type \"", m.type, "\"");
  VolumeSpec v;
  v.destination = m.target;
  v.readonly = m.readonly;
  MYDOCKER_RETURN_IF_ERROR(CheckDestination(v.destination, what));
  if (m.type == "bind") {
    if (m.source.empty()) {
      return absl::InvalidArgumentError(absl::StrCat(what, ": field Source must not be empty"));
    }
    MYDOCKER_RETURN_IF_ERROR(CheckDestination(m.source, what));
    for (absl::string_view part : absl::StrSplit(m.source, '/')) {
      if (part == "..") {
        return absl::InvalidArgumentError(
            absl::StrCat(what, ": the source must not contain \"..\""));
      }
    }
    const std::vector<std::string> propagations = {"",        "private", "rprivate", "shared",
                                                   "rshared", "slave",   "rslave"};
    if (std::find(propagations.begin(), propagations.end(), m.propagation) == propagations.end()) {
      return absl::InvalidArgumentError(absl::StrCat("invalid propagation mode: ", m.propagation));
    }
    v.kind = VolumeSpec::kBind;
    v.source = m.source;
    v.source_must_exist = true;
    v.propagation = m.propagation;
    v.nonrecursive = m.nonrecursive;
  } else if (m.type == "volume") {
    v.kind = m.source.empty() ? VolumeSpec::kAnonymous : VolumeSpec::kNamed;
    v.source = m.source;
    v.nocopy = m.nocopy;
    if (!m.source.empty() && !IsVolumeName(m.source)) {
      return absl::InvalidArgumentError(
          absl::StrCat(what, ": invalid volume name \"", m.source,
                       "\": only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed"));
    }
  } else if (m.type == "tmpfs") {
    if (!m.source.empty()) {
      return absl::InvalidArgumentError(absl::StrCat(what, ": field Source must not be specified"));
    }
    v.kind = VolumeSpec::kTmpfs;
    if (!m.tmpfs_size.empty()) v.tmpfs_options.push_back(*TmpfsOption("size=" + m.tmpfs_size));
    if (!m.tmpfs_mode.empty()) v.tmpfs_options.push_back(*TmpfsOption("mode=" + m.tmpfs_mode));
    if (m.readonly) v.tmpfs_options.push_back("ro");
  } else {
    return absl::InvalidArgumentError(absl::StrCat(what, ": mount type unknown"));
  }
  return v;
}

}  // namespace

absl::StatusOr<VolumeSpec> ParseMountSpec(absl::string_view text) {
  auto wrap = [&](const absl::Status& s) {
    return absl::InvalidArgumentError(absl::StrCat("invalid argument \"", absl::CHexEscape(text),
                                                   "\" for \"--mount\" flag: ", s.message()));
  };
  absl::StatusOr<std::vector<std::string>> fields = CsvFields(text);
  if (!fields.ok()) return wrap(fields.status());
  MountFields m;
  for (const std::string& field : *fields) {
    if (absl::Status s = MountField(field, m); !s.ok()) return wrap(s);
  }
  absl::StatusOr<VolumeSpec> v = MountSpecOf(m);
  if (!v.ok() && absl::StartsWith(v.status().message(), "invalid mount config")) return v;
  if (!v.ok()) return wrap(v.status());
  return v;
}

absl::StatusOr<VolumeSpec> ParseTmpfsSpec(absl::string_view text) {
  std::pair<std::string, std::string> parts = absl::StrSplit(text, absl::MaxSplits(':', 1));
  VolumeSpec v;
  v.kind = VolumeSpec::kTmpfs;
  v.destination = parts.first;
  MYDOCKER_RETURN_IF_ERROR(CheckDestination(
      v.destination, absl::StrCat("invalid tmpfs \"", absl::CHexEscape(text), "\"")));
  if (parts.second.empty()) return v;
  for (absl::string_view option : absl::StrSplit(parts.second, ',')) {
    MYDOCKER_ASSIGN_OR_RETURN(std::string o, TmpfsOption(option));
    v.tmpfs_options.push_back(std::move(o));
  }
  return v;
}

absl::StatusOr<VolumesFrom> ParseVolumesFrom(absl::string_view text) {
  std::vector<std::string> parts = absl::StrSplit(text, ':');
  if (parts.size() > 2 || parts[0].empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("invalid volumes-from \"", text, "\": want CONTAINER[:ro|rw]"));
  }
  if (parts.size() == 2 && parts[1] != "ro" && parts[1] != "rw") {
    return absl::InvalidArgumentError(absl::StrCat("invalid mode: ", parts[1]));
  }
  return VolumesFrom{parts[0], parts.size() == 2 ? parts[1] : ""};
}

}  // namespace mydocker
