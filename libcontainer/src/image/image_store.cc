#include "mydocker/image_store.h"

#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <optional>
#include <utility>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/strip.h"
#include "image/image_json.h"
#include "image/layer_unpacker.h"
#include "mydocker/fs_util.h"
#include "mydocker/status_macros.h"

namespace mydocker {
namespace {

constexpr char kDefaultPath[] = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
constexpr absl::string_view kSha256 = "sha256:";
constexpr size_t kHexLength = 64;
constexpr size_t kShortIdLength = 12;

bool IsHex(absl::string_view s) {
  return std::all_of(s.begin(), s.end(),
                     [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

absl::string_view HexOf(absl::string_view digest) {
  if (absl::StartsWith(digest, kSha256)) digest.remove_prefix(kSha256.size());
  return digest;
}

std::string ShortId(absl::string_view id) {
  return std::string(HexOf(id).substr(0, kShortIdLength));
}

std::string ImagesDir(const std::string& root) { return root + "/images"; }
std::string LayersDir(const std::string& root) { return root + "/layers"; }
std::string LockPath(const std::string& root) { return root + "/images/.lock"; }
std::string RepositoriesPath(const std::string& root) { return root + "/images/repositories.json"; }
std::string RecordPath(const std::string& root, absl::string_view id) {
  return absl::StrCat(root, "/images/", HexOf(id), ".json");
}
std::string LayerDir(const std::string& root, absl::string_view diff_id) {
  return absl::StrCat(root, "/layers/sha256/", HexOf(diff_id));
}

// Everything the store holds, read under the lock.
struct Catalog {
  std::vector<Image> images;  // newest first, tags filled in
  Repositories repositories;
};

absl::StatusOr<Repositories> LoadRepositories(const std::string& root) {
  std::string path = RepositoriesPath(root);
  absl::StatusOr<std::string> data = ReadFile(path);
  if (absl::IsNotFound(data.status())) return Repositories{};
  if (!data.ok()) return data.status();
  return ParseRepositories(*data, path);
}

absl::StatusOr<Image> LoadRecord(const std::string& root, absl::string_view hex) {
  std::string path = RecordPath(root, hex);
  MYDOCKER_ASSIGN_OR_RETURN(std::string data, ReadFile(path));
  MYDOCKER_ASSIGN_OR_RETURN(Image image, ParseImageRecord(data, path));
  if (HexOf(image.id) != hex) {
    return absl::InvalidArgumentError(absl::StrCat("image record ", path, " holds id ", image.id));
  }
  return image;
}

absl::StatusOr<Catalog> LoadCatalog(const std::string& root) {
  Catalog catalog;
  MYDOCKER_ASSIGN_OR_RETURN(catalog.repositories, LoadRepositories(root));
  MYDOCKER_ASSIGN_OR_RETURN(std::vector<std::string> names, ListDir(ImagesDir(root)));
  for (const std::string& name : names) {
    absl::string_view hex = name;
    if (!absl::ConsumeSuffix(&hex, ".json") || hex.size() != kHexLength || !IsHex(hex)) continue;
    MYDOCKER_ASSIGN_OR_RETURN(Image image, LoadRecord(root, hex));
    catalog.images.push_back(std::move(image));
  }
  // A tag whose record is gone (never written by us) is ignored rather than fatal.
  for (const auto& [tag, id] : catalog.repositories) {
    for (Image& image : catalog.images) {
      if (image.id == id) image.tags.push_back(tag);
    }
  }
  std::sort(catalog.images.begin(), catalog.images.end(), [](const Image& a, const Image& b) {
    return a.created != b.created ? a.created > b.created : a.id < b.id;
  });
  return catalog;
}

// How a reference matched: by tag (`tag` set) or by id.
struct Match {
  size_t index = 0;
  std::string tag;
};

absl::StatusOr<Match> MatchIdPrefix(const Catalog& catalog, absl::string_view ref,
                                    absl::string_view prefix) {
  std::optional<size_t> found;
  for (size_t i = 0; i < catalog.images.size(); ++i) {
    if (!absl::StartsWith(HexOf(catalog.images[i].id), prefix)) continue;
    if (found.has_value()) {
      return absl::InvalidArgumentError(
          absl::StrCat("image id prefix \"", ref, "\" is ambiguous: it matches several images"));
    }
    found = i;
  }
  if (!found.has_value()) return absl::NotFoundError(absl::StrCat("no such image: ", ref));
  return Match{*found, ""};
}

// Docker's order: a full id, then a name[:tag], then a unique id prefix.
absl::StatusOr<Match> FindImage(const Catalog& catalog, absl::string_view ref) {
  bool id_only = absl::StartsWith(ref, kSha256);
  absl::string_view hex = HexOf(ref);
  bool hex_ok = !hex.empty() && hex.size() <= kHexLength && IsHex(hex);
  if (id_only && !hex_ok) {
    return absl::InvalidArgumentError(
        absl::StrCat("invalid image id \"", absl::CHexEscape(ref), "\""));
  }
  if (hex_ok && hex.size() == kHexLength) return MatchIdPrefix(catalog, ref, hex);
  if (!id_only) {
    auto parsed = ParseImageReference(ref);
    if (parsed.ok()) {
      std::string tag = absl::StrCat(parsed->first, ":", parsed->second);
      auto it = catalog.repositories.find(tag);
      for (size_t i = 0; it != catalog.repositories.end() && i < catalog.images.size(); ++i) {
        if (catalog.images[i].id == it->second) return Match{i, tag};
      }
    } else if (!hex_ok) {
      return parsed.status();
    }
  }
  if (!hex_ok) return absl::NotFoundError(absl::StrCat("no such image: ", ref));
  return MatchIdPrefix(catalog, ref, hex);
}

// Renames the layer out of sight first, so that a removal cut short never leaves a half-empty
// layer under its real name for a later import to reuse.
absl::Status DiscardLayer(const std::string& root, absl::string_view diff_id) {
  std::string doomed = absl::StrCat(LayersDir(root), "/tmp-rm-", HexOf(diff_id));
  MYDOCKER_RETURN_IF_ERROR(RemoveAll(doomed));
  std::string layer = LayerDir(root, diff_id);
  if (::rename(layer.c_str(), doomed.c_str()) != 0) {
    if (errno == ENOENT) return absl::OkStatus();
    return LastErrnoError(absl::StrCat("rename ", layer, " to ", doomed));
  }
  return RemoveAll(doomed);
}

// Deletes the record, then the layers no other record uses.
absl::Status DeleteImage(const std::string& root, const Catalog& catalog, const Image& image) {
  std::string record = RecordPath(root, image.id);
  if (::unlink(record.c_str()) != 0 && errno != ENOENT) {
    return LastErrnoError(absl::StrCat("remove ", record));
  }
  absl::Status result;
  for (const std::string& layer : image.layers) {
    bool shared = std::any_of(catalog.images.begin(), catalog.images.end(), [&](const Image& o) {
      return o.id != image.id &&
             std::find(o.layers.begin(), o.layers.end(), layer) != o.layers.end();
    });
    if (!shared) result.Update(DiscardLayer(root, layer));
  }
  return result;
}

// A directory under layers/ that an import unpacks into, removed unless it became the layer.
// It is flock'ed while in use, so that a later import can tell it from the leftovers of a
// killed one and remove those.
class TempLayer {
 public:
  // REQUIRES: the store lock is held (the sweep must not race another creation).
  static absl::StatusOr<std::unique_ptr<TempLayer>> Create(const std::string& root) {
    MYDOCKER_RETURN_IF_ERROR(SweepStale(root));
    std::string path = LayersDir(root) + "/tmp-XXXXXX";
    // mkdtemp makes it 0700, which the layer keeps: host users must not reach the image's
    // setuid files through the layer directory.
    if (::mkdtemp(path.data()) == nullptr) return LastErrnoError("create " + path);
    std::unique_ptr<TempLayer> temp(new TempLayer(path));
    MYDOCKER_ASSIGN_OR_RETURN(FileLock lock, FileLock::TryAcquire(path));
    temp->lock_.emplace(std::move(lock));
    // The image root, unless the archive has a "./" entry: 0755 whatever the caller's umask.
    if (::mkdir(temp->diff().c_str(), 0755) != 0 || ::chmod(temp->diff().c_str(), 0755) != 0) {
      return LastErrnoError("create " + temp->diff());
    }
    return temp;
  }
  ~TempLayer() {
    if (!path_.empty()) RemoveAll(path_).IgnoreError();
  }
  const std::string& path() const { return path_; }
  std::string diff() const { return path_ + "/diff"; }
  void Release() { path_.clear(); }

 private:
  explicit TempLayer(std::string path) : path_(std::move(path)) {}

  static absl::Status SweepStale(const std::string& root) {
    MYDOCKER_ASSIGN_OR_RETURN(std::vector<std::string> names, ListDir(LayersDir(root)));
    for (const std::string& name : names) {
      if (!absl::StartsWith(name, "tmp-")) continue;
      std::string path = absl::StrCat(LayersDir(root), "/", name);
      absl::StatusOr<FileLock> lock = FileLock::TryAcquire(path);
      if (lock.ok()) MYDOCKER_RETURN_IF_ERROR(RemoveAll(path));
    }
    return absl::OkStatus();
  }

  std::string path_;
  std::optional<FileLock> lock_;
};

// Moves the unpacked layer into place (or drops it for an identical one already there), then
// writes the record and the tag. REQUIRES: the store lock is held.
absl::Status CommitImport(const std::string& root, TempLayer& temp, const Image& image,
                          absl::string_view config, const std::string& tag) {
  MYDOCKER_ASSIGN_OR_RETURN(Repositories repositories, LoadRepositories(root));
  std::string layer = LayerDir(root, image.layers.front());
  bool new_layer = false;
  if (!PathExists(layer)) {
    if (::rename(temp.path().c_str(), layer.c_str()) != 0) {
      return LastErrnoError(absl::StrCat("rename ", temp.path(), " to ", layer));
    }
    temp.Release();
    new_layer = true;
  }
  std::string record = RecordPath(root, image.id);
  absl::Status status = WriteFileAtomic(record, SerializeImageRecord(image, config));
  if (status.ok()) {
    repositories[tag] = image.id;
    status = WriteFileAtomic(RepositoriesPath(root), SerializeRepositories(repositories));
    if (!status.ok()) ::unlink(record.c_str());
  }
  if (!status.ok() && new_layer) DiscardLayer(root, image.layers.front()).IgnoreError();
  return status;
}

std::string BaseName(const std::string& path) {
  size_t slash = path.find_last_of('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

}  // namespace

absl::StatusOr<std::unique_ptr<ImageStore>> ImageStore::Open(const std::string& root) {
  if (root.empty() || root.front() != '/') {
    return absl::InvalidArgumentError(
        absl::StrCat("image store root \"", root, "\" is not absolute"));
  }
  MYDOCKER_RETURN_IF_ERROR(MakeDirs(root + "/layers/sha256", 0700));
  MYDOCKER_RETURN_IF_ERROR(MakeDirs(ImagesDir(root), 0700));
  return std::unique_ptr<ImageStore>(new ImageStore(root));
}

absl::StatusOr<Image> ImageStore::Import(const std::string& tar_path, absl::string_view ref) {
  MYDOCKER_ASSIGN_OR_RETURN(auto name_tag, ParseImageReference(ref));
  std::string tag = absl::StrCat(name_tag.first, ":", name_tag.second);
  std::unique_ptr<TempLayer> temp;
  {
    MYDOCKER_ASSIGN_OR_RETURN(FileLock lock, FileLock::Acquire(LockPath(root_)));
    MYDOCKER_ASSIGN_OR_RETURN(temp, TempLayer::Create(root_));
  }
  // Unpacking is the slow part; it runs unlocked in a directory only this import knows.
  MYDOCKER_ASSIGN_OR_RETURN(UnpackResult unpacked, LayerUnpacker::Unpack(tar_path, temp->diff()));
  Image image;
  image.created = absl::Now();
  image.size = unpacked.size;
  image.layers = {unpacked.diff_id};
  image.config.env = {kDefaultPath};
  std::string config = SerializeImageConfig(image, "imported from " + BaseName(tar_path));
  image.id = Sha256Digest(config);
  image.tags = {tag};
  MYDOCKER_ASSIGN_OR_RETURN(FileLock lock, FileLock::Acquire(LockPath(root_)));
  MYDOCKER_RETURN_IF_ERROR(CommitImport(root_, *temp, image, config, tag));
  return image;
}

absl::StatusOr<std::vector<Image>> ImageStore::List() const {
  MYDOCKER_ASSIGN_OR_RETURN(FileLock lock, FileLock::Acquire(LockPath(root_)));
  MYDOCKER_ASSIGN_OR_RETURN(Catalog catalog, LoadCatalog(root_));
  return std::move(catalog.images);
}

absl::StatusOr<Image> ImageStore::Resolve(absl::string_view ref) const {
  MYDOCKER_ASSIGN_OR_RETURN(FileLock lock, FileLock::Acquire(LockPath(root_)));
  MYDOCKER_ASSIGN_OR_RETURN(Catalog catalog, LoadCatalog(root_));
  MYDOCKER_ASSIGN_OR_RETURN(Match match, FindImage(catalog, ref));
  return std::move(catalog.images[match.index]);
}

std::vector<std::string> ImageStore::LayerDirs(const Image& image) const {
  std::vector<std::string> dirs;
  for (auto it = image.layers.rbegin(); it != image.layers.rend(); ++it) {
    dirs.push_back(LayerDir(root_, *it) + "/diff");
  }
  return dirs;
}

absl::Status ImageStore::Remove(absl::string_view ref, bool force,
                                const std::function<bool(const std::string&)>& in_use) {
  MYDOCKER_ASSIGN_OR_RETURN(FileLock lock, FileLock::Acquire(LockPath(root_)));
  MYDOCKER_ASSIGN_OR_RETURN(Catalog catalog, LoadCatalog(root_));
  MYDOCKER_ASSIGN_OR_RETURN(Match match, FindImage(catalog, ref));
  const Image& image = catalog.images[match.index];
  if (match.tag.empty() && image.tags.size() > 1 && !force) {
    return absl::FailedPreconditionError(
        absl::StrCat("image ", ShortId(image.id), " has several tags (",
                     absl::StrJoin(image.tags, ", "), "): remove them by name or use force"));
  }
  std::vector<std::string> untag =
      match.tag.empty() ? image.tags : std::vector<std::string>{match.tag};
  bool last = untag.size() == image.tags.size();
  bool used = last && in_use && in_use(image.id);
  if (used && !force) {
    return absl::FailedPreconditionError(
        absl::StrCat("image ", ref, " (", ShortId(image.id), ") is in use by a container"));
  }
  if (!untag.empty()) {
    for (const std::string& tag : untag) catalog.repositories.erase(tag);
    MYDOCKER_RETURN_IF_ERROR(
        WriteFileAtomic(RepositoriesPath(root_), SerializeRepositories(catalog.repositories)));
  }
  // Forced while in use: untagged but kept, since the container's overlay still needs the layers.
  if (!last || used) return absl::OkStatus();
  return DeleteImage(root_, catalog, image);
}

}  // namespace mydocker
