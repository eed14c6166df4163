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
#include "image/layer_packer.h"
#include "image/removed_images.h"
#include "image/store_files.h"
#include "mydocker/events.h"
#include "mydocker/fs_util.h"
#include "mydocker/status_macros.h"
#include "registry/remote_reference.h"

namespace mydocker {
namespace {

using store_files::CheckMountable;
using store_files::CommitStaged;
using store_files::DiscardLayer;
using store_files::HexOf;
using store_files::ImagesDir;
using store_files::LayerDir;
using store_files::LoadRepositories;
using store_files::LockPath;
using store_files::RecordPath;
using store_files::RepositoriesPath;
using store_files::StagedImage;
using store_files::StagedLayer;
using store_files::StageLayer;
using store_files::StageWrittenLayer;
using store_files::StoredLayerSize;
using store_files::TempLayer;

constexpr char kDefaultPath[] = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
constexpr absl::string_view kSha256 = "sha256:";
constexpr size_t kHexLength = 64;
constexpr size_t kShortIdLength = 12;

bool IsHex(absl::string_view s) {
  return std::all_of(s.begin(), s.end(),
                     [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

std::string ShortId(absl::string_view id) {
  return std::string(HexOf(id).substr(0, kShortIdLength));
}

// Everything the store holds, read under the lock.
struct Catalog {
  std::vector<Image> images;  // newest first, tags filled in
  Repositories repositories;
};

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
  // "name@sha256:..." keys are references by digest (pull records them).
  for (const auto& [tag, id] : catalog.repositories) {
    for (Image& image : catalog.images) {
      if (image.id != id) continue;
      (tag.find('@') == std::string::npos ? image.tags : image.digests).push_back(tag);
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

struct ReferenceKinds {
  absl::string_view ref;   // Docker Hub's long names shortened ("docker.io/library/busybox")
  absl::string_view hex;   // the id's hexadecimal part when `ref` may be an id (or its prefix)
  bool id_only = false;    // written "sha256:...": an id and nothing else
  bool hex_ok = false;     // `hex` is hexadecimal, at most an id long
  bool full_id = false;    // ... and a whole id, which comes first
  std::string key;         // the repositories key it names by tag or digest, when it may
  absl::Status key_error;  // why it names none, when it is not a reference
};

ReferenceKinds ClassifyReference(absl::string_view ref) {
  ReferenceKinds k;
  k.ref = registry::ShortDockerHubName(ref);
  if (k.ref.find('@') != absl::string_view::npos) {
    absl::StatusOr<registry::RemoteReference> remote = registry::ParseRemoteReference(k.ref);
    if (remote.ok()) {
      k.key = remote->LocalReference();
    } else {
      k.key_error = remote.status();
    }
    return k;
  }
  k.id_only = absl::StartsWith(k.ref, kSha256);
  k.hex = HexOf(k.ref);
  k.hex_ok = !k.hex.empty() && k.hex.size() <= kHexLength && IsHex(k.hex);
  k.full_id = k.hex_ok && k.hex.size() == kHexLength;
  if (k.id_only || k.full_id) return k;
  absl::StatusOr<std::pair<std::string, std::string>> parsed = ParseImageReference(k.ref);
  if (parsed.ok()) {
    k.key = absl::StrCat(parsed->first, ":", parsed->second);
  } else {
    k.key_error = parsed.status();
  }
  return k;
}

// The image `key` names in the repositories, if any.
std::optional<Match> FindByKey(const Catalog& catalog, const std::string& key) {
  auto it = catalog.repositories.find(key);
  for (size_t i = 0; it != catalog.repositories.end() && i < catalog.images.size(); ++i) {
    if (catalog.images[i].id == it->second) return Match{i, key};
  }
  return std::nullopt;
}

absl::StatusOr<Match> FindImage(const Catalog& catalog, absl::string_view ref) {
  const ReferenceKinds k = ClassifyReference(ref);
  if (k.ref.find('@') != absl::string_view::npos) {  // NAME@sha256:<hex>, recorded by a pull
    MYDOCKER_RETURN_IF_ERROR(k.key_error);
    if (std::optional<Match> m = FindByKey(catalog, k.key)) return *m;
    return absl::NotFoundError(absl::StrCat("no such image: ", k.ref));
  }
  if (k.id_only && !k.hex_ok) {
    return absl::InvalidArgumentError(
        absl::StrCat("invalid image id \"", absl::CHexEscape(k.ref), "\""));
  }
  if (k.full_id) return MatchIdPrefix(catalog, k.ref, k.hex);
  if (!k.key.empty()) {
    if (std::optional<Match> m = FindByKey(catalog, k.key)) return *m;
  } else if (!k.id_only && !k.hex_ok) {
    return k.key_error;
  }
  if (!k.hex_ok) return absl::NotFoundError(absl::StrCat("no such image: ", k.ref));
  return MatchIdPrefix(catalog, k.ref, k.hex);
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

// Commits one new image (and the layers it needs) under the store lock.
absl::Status CommitImage(const std::string& root, std::vector<StagedLayer>& layers,
                         const Image& image, const std::string& config) {
  MYDOCKER_ASSIGN_OR_RETURN(FileLock lock, FileLock::Acquire(LockPath(root)));
  return CommitStaged(root, layers, {StagedImage{image, config}});
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
  MYDOCKER_RETURN_IF_ERROR(ParseImageReference(ref).status());
  return Import(tar_path, ref, CommitConfig{});
}

absl::StatusOr<Image> ImageStore::Import(const std::string& tar_path, absl::string_view ref,
                                         const CommitConfig& changes) {
  std::vector<std::string> tags;
  if (!ref.empty()) {
    MYDOCKER_ASSIGN_OR_RETURN(auto name_tag, ParseImageReference(ref));
    tags.push_back(absl::StrCat(name_tag.first, ":", name_tag.second));
  }
  UniqueFd fd(::open(tar_path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd) return LastErrnoError(absl::StrCat("open ", tar_path));
  std::vector<StagedLayer> layers;
  MYDOCKER_ASSIGN_OR_RETURN(StagedLayer layer, StageLayer(root_, std::move(fd), tar_path));
  Image draft;
  draft.created = absl::Now();
  draft.layers = {layer.diff_id};
  draft.config.env = {kDefaultPath};
  std::string comment =
      changes.comment.empty() ? "imported from " + BaseName(tar_path) : changes.comment;
  CommitConfig config_changes = changes;
  if (config_changes.env) {  // ENV on top of the default PATH, as a build's would be
    std::vector<std::string> env = draft.config.env;
    for (const std::string& e : *config_changes.env) {
      if (e.rfind("PATH=", 0) == 0) env.clear();
    }
    env.insert(env.end(), config_changes.env->begin(), config_changes.env->end());
    config_changes.env = env;
  }
  MYDOCKER_ASSIGN_OR_RETURN(
      std::string config, ApplyCommitConfig(SerializeImageConfig(draft, comment), config_changes));
  Image image;
  MYDOCKER_RETURN_IF_ERROR(ParseImageConfig(config, &image, "new image config"));
  image.size = layer.size;
  layers.push_back(std::move(layer));
  image.id = Sha256Digest(config);
  image.tags = tags;
  MYDOCKER_RETURN_IF_ERROR(CommitImage(root_, layers, image, config));
  return image;
}

absl::StatusOr<Image> ImageStore::Commit(const Image& parent, const std::string& upper_dir,
                                         absl::string_view ref, absl::string_view comment) {
  CommitConfig config;
  config.comment = std::string(comment);
  return Commit(parent, upper_dir, ref, config);
}

absl::StatusOr<Image> ImageStore::Commit(const Image& parent, const std::string& upper_dir,
                                         absl::string_view ref, const CommitConfig& changes) {
  std::vector<std::string> tags;
  if (!ref.empty()) {
    MYDOCKER_ASSIGN_OR_RETURN(auto name_tag, ParseImageReference(ref));
    tags.push_back(absl::StrCat(name_tag.first, ":", name_tag.second));
  }
  MYDOCKER_ASSIGN_OR_RETURN(std::string parent_config, ConfigJson(parent));
  std::unique_ptr<TempLayer> temp;
  {
    MYDOCKER_ASSIGN_OR_RETURN(FileLock lock, FileLock::Acquire(LockPath(root_)));
    MYDOCKER_ASSIGN_OR_RETURN(temp, TempLayer::Create(root_));
  }
  {
    UniqueFd out(::open(temp->layer_tar().c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600));
    if (!out) return LastErrnoError("create " + temp->layer_tar());
    MYDOCKER_RETURN_IF_ERROR(LayerPacker::Pack(upper_dir, out.get()));
  }
  MYDOCKER_ASSIGN_OR_RETURN(StagedLayer layer, StageWrittenLayer(std::move(temp)));
  MYDOCKER_ASSIGN_OR_RETURN(std::string extended,
                            ExtendImageConfig(parent_config, layer.diff_id, absl::Now(),
                                              "mydocker commit", changes.comment));
  MYDOCKER_ASSIGN_OR_RETURN(std::string config, ApplyCommitConfig(extended, changes));
  Image image;
  MYDOCKER_RETURN_IF_ERROR(ParseImageConfig(config, &image, "new image config"));
  image.id = Sha256Digest(config);
  image.size = parent.size + layer.size;
  image.tags = tags;
  MYDOCKER_RETURN_IF_ERROR(CheckMountable(root_, LayerDirs(image)));
  // The parent's layers are staged as stored ones, so the commit fails if one went meanwhile.
  std::vector<StagedLayer> layers;
  for (const std::string& diff_id : parent.layers) layers.push_back(StagedLayer{diff_id, 0, {}});
  layers.push_back(std::move(layer));
  MYDOCKER_RETURN_IF_ERROR(CommitImage(root_, layers, image, config));
  return image;
}

absl::StatusOr<std::string> ImageStore::ConfigJson(const Image& image) const {
  std::string path = RecordPath(root_, image.id);
  MYDOCKER_ASSIGN_OR_RETURN(std::string record, ReadFile(path));
  return RecordConfigJson(record, path);
}

std::vector<HistoryEntry> ImageStore::History(const Image& image) const {
  std::vector<HistoryEntry> history = image.history;
  size_t with_layer = std::count_if(history.begin(), history.end(),
                                    [](const HistoryEntry& h) { return !h.empty_layer; });
  if (with_layer < image.layers.size()) {
    // Layers below the recorded history (an image made without one): a step each.
    history.insert(history.begin(), image.layers.size() - with_layer,
                   HistoryEntry{image.created, "", "", false, 0});
  }
  size_t layer = 0;
  for (HistoryEntry& entry : history) {
    if (entry.empty_layer || layer >= image.layers.size()) continue;
    entry.size = StoredLayerSize(root_, image.layers[layer++]);
  }
  std::reverse(history.begin(), history.end());
  return history;
}

absl::StatusOr<std::vector<Image>> ImageStore::List() const {
  MYDOCKER_ASSIGN_OR_RETURN(FileLock lock, FileLock::Acquire(LockPath(root_)));
  MYDOCKER_ASSIGN_OR_RETURN(Catalog catalog, LoadCatalog(root_));
  return std::move(catalog.images);
}

namespace {

// The image a tag (or digest) names, reading only its record rather than every image's; nullopt
// when the reference is not a stored tag (FindImage over the whole catalog decides then).
std::optional<Image> ResolveTag(const std::string& root, absl::string_view ref) {
  const std::string key = ClassifyReference(ref).key;
  if (key.empty()) return std::nullopt;
  absl::StatusOr<Repositories> repositories = LoadRepositories(root);
  if (!repositories.ok()) return std::nullopt;
  auto it = repositories->find(key);
  if (it == repositories->end()) return std::nullopt;
  absl::StatusOr<Image> image = LoadRecord(root, HexOf(it->second));
  if (!image.ok()) return std::nullopt;
  for (const auto& [tag, id] : *repositories) {  // as LoadCatalog fills them in
    if (id == image->id)
      (tag.find('@') == std::string::npos ? image->tags : image->digests).push_back(tag);
  }
  return *std::move(image);
}

}  // namespace

absl::StatusOr<Image> ImageStore::Resolve(absl::string_view ref) const {
  MYDOCKER_ASSIGN_OR_RETURN(FileLock lock, FileLock::Acquire(LockPath(root_)));
  // The common case (`run busybox`) reads one record, not the whole store's.
  if (std::optional<Image> tagged = ResolveTag(root_, ref)) return *std::move(tagged);
  MYDOCKER_ASSIGN_OR_RETURN(Catalog catalog, LoadCatalog(root_));
  MYDOCKER_ASSIGN_OR_RETURN(Match match, FindImage(catalog, ref));
  return std::move(catalog.images[match.index]);
}

std::vector<std::string> ImageStore::LayerDirs(const Image& image) const {
  std::vector<std::string> dirs;
  for (auto it = image.layers.rbegin(); it != image.layers.rend(); ++it) {
    // A layer may come twice (Docker's empty layer often does); overlayfs refuses a directory
    // given twice. Its topmost occurrence alone gives the same tree: whatever the layers in
    // between change, the upper copy puts back.
    std::string dir = LayerDir(root_, *it) + "/diff";
    if (std::find(dirs.begin(), dirs.end(), dir) == dirs.end()) dirs.push_back(std::move(dir));
  }
  return dirs;
}

absl::Status ImageStore::RemoveLeftovers() {
  MYDOCKER_ASSIGN_OR_RETURN(FileLock lock, FileLock::Acquire(LockPath(root_)));
  return TempLayer::SweepStale(root_);
}

namespace {
constexpr absl::string_view kRemovedSuffix = ".removed";
std::string RemovedMark(const std::string& root, absl::string_view id) {
  return absl::StrCat(RecordPath(root, id), kRemovedSuffix);
}
}  // namespace

absl::Status ReleaseRemovedImages(const std::string& root,
                                  const std::function<bool(const std::string&)>& in_use) {
  MYDOCKER_ASSIGN_OR_RETURN(std::vector<std::string> names, ListDir(ImagesDir(root)));
  if (std::none_of(names.begin(), names.end(),
                   [](const std::string& n) { return absl::EndsWith(n, kRemovedSuffix); })) {
    return absl::OkStatus();
  }
  MYDOCKER_ASSIGN_OR_RETURN(FileLock lock, FileLock::Acquire(LockPath(root)));
  MYDOCKER_ASSIGN_OR_RETURN(Catalog catalog, LoadCatalog(root));
  absl::Status result;
  for (const Image& image : catalog.images) {
    const std::string mark = RemovedMark(root, image.id);
    bool untagged = image.tags.empty() && image.digests.empty();
    if (!PathExists(mark) || (untagged && in_use(image.id))) continue;
    if (untagged) result.Update(DeleteImage(root, catalog, image));
    if (result.ok()) ::unlink(mark.c_str());
  }
  return result;
}

// The references removing `ref` (a tag, a digest reference, or "" for the id) takes away: with
// the last tag of a repository go its references by digest, as in Docker.
std::vector<std::string> Untagged(const Image& image, const std::string& ref) {
  std::vector<std::string> out;
  if (ref.empty() || ref.find('@') != std::string::npos) {
    if (ref.empty()) out = image.tags;
    for (const std::string& d : image.digests) {
      if (ref.empty() || d == ref) out.push_back(d);
    }
    return out;
  }
  out.push_back(ref);
  std::string repository = ref.substr(0, ref.rfind(':'));
  for (const std::string& tag : image.tags) {
    if (tag != ref && tag.substr(0, tag.rfind(':')) == repository) return out;
  }
  for (const std::string& d : image.digests) {
    if (d.substr(0, d.find('@')) == repository) out.push_back(d);
  }
  return out;
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
  std::vector<std::string> untag = Untagged(image, match.tag);
  bool last = untag.size() == image.tags.size() + image.digests.size();
  bool used = last && in_use && in_use(image.id);
  if (used && !force) {
    return absl::FailedPreconditionError(
        absl::StrCat("image ", ref, " (", ShortId(image.id), ") is in use by a container"));
  }
  if (!untag.empty()) {
    for (const std::string& tag : untag) catalog.repositories.erase(tag);
    MYDOCKER_RETURN_IF_ERROR(
        WriteFileAtomic(RepositoriesPath(root_), SerializeRepositories(catalog.repositories)));
    for (const std::string& tag : untag)
      RecordEvent(root_, {"image", "untag", image.id, {{"name", tag}}});
  }
  // Forced while in use: untagged but kept, since the container's overlay still needs the layers,
  // and marked to go with the last container that uses it (ReleaseRemovedImages).
  if (used) return WriteFileAtomic(RemovedMark(root_, image.id), "");
  if (!last) return absl::OkStatus();
  std::string id = image.id;
  MYDOCKER_RETURN_IF_ERROR(DeleteImage(root_, catalog, image));
  RecordEvent(root_, {"image", "delete", id, {{"name", id}}});
  return absl::OkStatus();
}

}  // namespace mydocker

namespace mydocker {

absl::Status ImageStore::Tag(absl::string_view source, absl::string_view target) {
  MYDOCKER_ASSIGN_OR_RETURN(auto name_tag, ParseImageReference(target));
  MYDOCKER_ASSIGN_OR_RETURN(FileLock lock, FileLock::Acquire(LockPath(root_)));
  MYDOCKER_ASSIGN_OR_RETURN(Catalog catalog, LoadCatalog(root_));
  MYDOCKER_ASSIGN_OR_RETURN(Match match, FindImage(catalog, source));
  std::string tag = absl::StrCat(name_tag.first, ":", name_tag.second);
  const std::string& id = catalog.images[match.index].id;
  catalog.repositories[tag] = id;
  MYDOCKER_RETURN_IF_ERROR(
      WriteFileAtomic(RepositoriesPath(root_), SerializeRepositories(catalog.repositories)));
  RecordEvent(root_, {"image", "tag", id, {{"name", tag}}});
  return absl::OkStatus();
}

}  // namespace mydocker
