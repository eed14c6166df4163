// ImageStore::Load: Docker save archives and OCI image layouts.
//
// An archive is first unpacked (by the same walker as layers, so no entry lands outside) into a
// temporary directory of the store; a directory is read in place. Every file of it is then opened
// inside that root only (OpenInRoot), so a symlink in the archive cannot make us read a host file.
// Trust: nothing in the archive is trusted but the digests it names. OCI blobs are checked against
// their descriptors (digest and size), every layer's uncompressed stream against the config's
// diff id, and the image id is the digest of the config bytes. Everything is staged before the
// store changes, so a refused archive leaves nothing behind.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <map>
#include <memory>
#include <set>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "image/archive_json.h"
#include "image/hashing_source.h"
#include "image/image_json.h"
#include "image/layer_unpacker.h"
#include "image/store_files.h"
#include "in_root.h"
#include "mydocker/image_store.h"
#include "mydocker/status_macros.h"
#include "registry/remote_reference.h"

namespace mydocker {
namespace {

using store_files::StagedImage;
using store_files::StagedLayer;

constexpr size_t kMaxJsonSize = 8 << 20;
constexpr int kMaxIndexDepth = 4;
// Docker's overlay2 driver refuses images of more than 128 layers too; 1000 images per archive
// is far beyond what `docker save` writes, and bounds the work a hostile manifest can ask for.
constexpr size_t kMaxLayers = 128;
constexpr size_t kMaxImages = 1000;

absl::Status CheckCount(size_t count, size_t max, absl::string_view what, absl::string_view of) {
  if (count <= max) return absl::OkStatus();
  return absl::InvalidArgumentError(
      absl::StrCat(of, " lists ", count, " ", what, ", more than the ", max, " allowed"));
}

absl::Status Tampered(absl::string_view what, absl::string_view want, absl::string_view got) {
  return absl::InvalidArgumentError(
      absl::StrCat(what, " does not match its digest: want ", want, ", got ", got));
}

// "docker.io/library/busybox:latest" and "busybox:latest" name the same image, as do
// "docker.io/org/app" and "org/app"; the store keeps Docker's short form. Validated like any tag.
// "" for a digest reference (name@sha256:...): it names content, not a tag, and is skipped.
absl::StatusOr<std::string> NormalizeTag(absl::string_view ref) {
  if (absl::StrContains(ref, '@')) return std::string();
  MYDOCKER_ASSIGN_OR_RETURN(auto name_tag, ParseImageReference(registry::ShortDockerHubName(ref)));
  return absl::StrCat(name_tag.first, ":", name_tag.second);
}

// The image name an OCI index entry gives. org.opencontainers.image.ref.name is a full reference
// (skopeo, umoci, our save) or only a tag (Docker's save, beside io.containerd.image.name with
// the repository). A tag with no repository anywhere names nothing: the image is untagged.
absl::StatusOr<std::vector<std::string>> OciTags(const Descriptor& d) {
  auto find = [&d](const char* key) {
    auto it = d.annotations.find(key);
    return it == d.annotations.end() ? std::string() : it->second;
  };
  std::string ref = find(kRefNameAnnotation);
  std::string containerd = find(kContainerdNameAnnotation);
  if (!ref.empty() && ref.find_first_of(":/") == std::string::npos) {
    // Only a tag: it wins over the tag of the containerd name, which a tool such as umoci may
    // have copied unchanged from another image.
    if (containerd.empty()) return std::vector<std::string>{};
    MYDOCKER_ASSIGN_OR_RETURN(std::string named, NormalizeTag(containerd));
    if (named.empty()) return std::vector<std::string>{};
    ref = absl::StrCat(named.substr(0, named.rfind(':')), ":", ref);
  } else if (ref.empty()) {
    ref = containerd;
  }
  if (ref.empty()) return std::vector<std::string>{};
  MYDOCKER_ASSIGN_OR_RETURN(std::string tag, NormalizeTag(ref));
  if (tag.empty()) return std::vector<std::string>{};
  return std::vector<std::string>{tag};
}

bool IsIndexType(absl::string_view type) {
  return type == kOciIndexType || type == kDockerListType;
}

// Reads one archive's images into staged layers and records.
class Loader {
 public:
  Loader(std::string store_root, int dir_fd) : store_root_(std::move(store_root)), dir_(dir_fd) {}

  absl::Status Run();
  std::vector<StagedLayer>& layers() { return layers_; }
  std::vector<StagedImage>& images() { return images_; }

 private:
  absl::Status LoadDocker(const std::string& manifest_json);
  absl::Status LoadOciIndex(const std::string& index_json, const std::vector<std::string>& tags,
                            int depth);
  absl::Status LoadOciManifest(const Descriptor& d, const std::vector<std::string>& tags);
  absl::StatusOr<UniqueFd> OpenVerified(const std::string& path, absl::string_view digest,
                                        int64_t size);
  absl::StatusOr<std::string> ReadBlob(const Descriptor& d);
  absl::Status AddImage(const std::string& config, std::vector<UniqueFd> layer_fds,
                        const std::vector<std::string>& names, std::vector<std::string> tags);
  absl::Status AddLayer(UniqueFd fd, const std::string& name, const std::string& diff_id);

  void AddTags(const std::string& image_id, const std::vector<std::string>& tags);

  std::string store_root_;
  int dir_;
  std::vector<StagedLayer> layers_;
  std::vector<StagedImage> images_;
  // What this load has already checked, so that an archive naming the same blob thousands of
  // times costs one hash: "file PATH DIGEST SIZE" and "stream NAME DIFF_ID" checked,
  // and the image each manifest digest (OCI) or config path (Docker) gave.
  std::set<std::string> verified_;
  std::map<std::string, std::string> loaded_;
};

void Loader::AddTags(const std::string& image_id, const std::vector<std::string>& tags) {
  for (StagedImage& staged : images_) {
    if (staged.image.id == image_id) {
      staged.image.tags.insert(staged.image.tags.end(), tags.begin(), tags.end());
    }
  }
}

// index.json first: when an archive has both (Docker 25 and later, our save), they agree, but
// an OCI tool that changed a layout (umoci repack, skopeo copy into it) updates only index.json.
absl::Status Loader::Run() {
  auto index = ReadInRoot(dir_, "index.json", kMaxJsonSize);
  if (index.ok()) return LoadOciIndex(*index, {}, 0);
  if (!absl::IsNotFound(index.status())) return index.status();
  auto manifest = ReadInRoot(dir_, "manifest.json", kMaxJsonSize);
  if (absl::IsNotFound(manifest.status())) {
    return absl::InvalidArgumentError(
        "not an image archive: neither manifest.json (docker save) nor index.json (OCI layout)");
  }
  if (!manifest.ok()) return manifest.status();
  return LoadDocker(*manifest);
}

// Opens a file of the archive; with a digest, checks the file's bytes (and size, if >= 0)
// first and returns it rewound.
absl::StatusOr<UniqueFd> Loader::OpenVerified(const std::string& path, absl::string_view digest,
                                              int64_t size) {
  MYDOCKER_ASSIGN_OR_RETURN(UniqueFd fd, OpenInRoot(dir_, path));
  if (digest.empty()) return fd;
  std::string key = absl::StrCat("file ", path, " ", digest, " ", size);
  if (verified_.count(key) != 0) return fd;
  struct stat st;
  if (::fstat(fd.get(), &st) != 0) return LastErrnoError("stat " + path);
  if (size >= 0 && st.st_size != size) {
    return absl::InvalidArgumentError(
        absl::StrCat(path, " has ", st.st_size, " bytes, its descriptor says ", size));
  }
  MYDOCKER_ASSIGN_OR_RETURN(std::string actual, Sha256OfFd(fd.get(), path));
  if (actual != digest) return Tampered(path, digest, actual);
  if (::lseek(fd.get(), 0, SEEK_SET) != 0) return LastErrnoError("rewind " + path);
  verified_.insert(std::move(key));
  return fd;
}

absl::StatusOr<std::string> Loader::ReadBlob(const Descriptor& d) {
  if (!IsSha256Digest(d.digest)) {
    return absl::InvalidArgumentError(
        absl::StrCat("unsupported or malformed digest \"", d.digest, "\""));
  }
  std::string path = absl::StrCat("blobs/sha256/", store_files::HexOf(d.digest));
  if (d.size > static_cast<int64_t>(kMaxJsonSize)) {
    return absl::InvalidArgumentError(absl::StrCat(path, " is too large for a json document"));
  }
  MYDOCKER_ASSIGN_OR_RETURN(std::string data, ReadInRoot(dir_, path, kMaxJsonSize));
  std::string actual = Sha256Digest(data);
  if (actual != d.digest) return Tampered(path, d.digest, actual);
  if (d.size >= 0 && static_cast<int64_t>(data.size()) != d.size) {
    return absl::InvalidArgumentError(
        absl::StrCat(path, " does not have the size its descriptor says"));
  }
  return data;
}

// A Docker archive names files by path; a path of the form blobs/sha256/<hex> or <hex>.json is
// also a digest, and is checked.
std::string DigestInPath(absl::string_view path) {
  absl::string_view hex = path;
  if (!absl::ConsumePrefix(&hex, "blobs/sha256/")) absl::ConsumeSuffix(&hex, ".json");
  std::string digest = absl::StrCat("sha256:", hex);
  return IsSha256Digest(digest) ? digest : "";
}

absl::Status Loader::LoadDocker(const std::string& manifest_json) {
  MYDOCKER_ASSIGN_OR_RETURN(std::vector<DockerManifestEntry> entries,
                            ParseDockerManifest(manifest_json, "manifest.json"));
  if (entries.empty()) return absl::InvalidArgumentError("manifest.json lists no image");
  MYDOCKER_RETURN_IF_ERROR(CheckCount(entries.size(), kMaxImages, "images", "manifest.json"));
  for (const DockerManifestEntry& entry : entries) {
    MYDOCKER_RETURN_IF_ERROR(CheckCount(entry.layers.size(), kMaxLayers, "layers", entry.config));
    std::vector<std::string> tags;
    for (const std::string& ref : entry.repo_tags) {
      MYDOCKER_ASSIGN_OR_RETURN(std::string tag, NormalizeTag(ref));
      if (!tag.empty()) tags.push_back(std::move(tag));
    }
    // The same config is the same image (its diff ids were checked): only its tags are new.
    if (auto seen = loaded_.find("config " + entry.config); seen != loaded_.end()) {
      AddTags(seen->second, tags);
      continue;
    }
    MYDOCKER_ASSIGN_OR_RETURN(std::string config, ReadInRoot(dir_, entry.config, kMaxJsonSize));
    std::string digest = DigestInPath(entry.config);
    if (!digest.empty() && Sha256Digest(config) != digest) {
      return Tampered(entry.config, digest, Sha256Digest(config));
    }
    std::vector<UniqueFd> fds;
    for (const std::string& layer : entry.layers) {
      MYDOCKER_ASSIGN_OR_RETURN(UniqueFd fd, OpenVerified(layer, DigestInPath(layer), -1));
      fds.push_back(std::move(fd));
    }
    MYDOCKER_RETURN_IF_ERROR(AddImage(config, std::move(fds), entry.layers, std::move(tags)));
    loaded_["config " + entry.config] = Sha256Digest(config);
  }
  return absl::OkStatus();
}

// Each entry of an index is an image (a manifest) or a nested index (several platforms): of
// those, the manifest for this machine, else the only one.
absl::Status Loader::LoadOciIndex(const std::string& index_json,
                                  const std::vector<std::string>& tags, int depth) {
  if (depth > kMaxIndexDepth) return absl::InvalidArgumentError("image indexes nested too deep");
  MYDOCKER_ASSIGN_OR_RETURN(std::vector<Descriptor> manifests, ParseOciIndex(index_json, "index"));
  if (manifests.empty()) return absl::InvalidArgumentError("the image index lists no image");
  MYDOCKER_RETURN_IF_ERROR(
      CheckCount(manifests.size(), kMaxImages, "manifests", "the image index"));
  if (depth > 0 && manifests.size() > 1) {
    auto mine = std::find_if(manifests.begin(), manifests.end(), [](const Descriptor& d) {
      return d.os == "linux" && d.architecture == kImageArchitecture;
    });
    if (mine == manifests.end()) {
      return absl::InvalidArgumentError(
          absl::StrCat("the image index has no manifest for linux/", kImageArchitecture));
    }
    manifests = {*mine};
  }
  for (const Descriptor& d : manifests) {
    std::vector<std::string> own = tags;
    if (depth == 0) {
      MYDOCKER_ASSIGN_OR_RETURN(own, OciTags(d));
    }
    if (IsIndexType(d.media_type)) {
      MYDOCKER_ASSIGN_OR_RETURN(std::string nested, ReadBlob(d));
      MYDOCKER_RETURN_IF_ERROR(LoadOciIndex(nested, own, depth + 1));
    } else {
      MYDOCKER_RETURN_IF_ERROR(LoadOciManifest(d, own));
    }
  }
  return absl::OkStatus();
}

absl::Status Loader::LoadOciManifest(const Descriptor& d, const std::vector<std::string>& tags) {
  if (!d.media_type.empty() && d.media_type != kOciManifestType &&
      d.media_type != kDockerManifestType) {
    return absl::InvalidArgumentError(absl::StrCat("unsupported manifest type ", d.media_type));
  }
  if (auto seen = loaded_.find("manifest " + d.digest); seen != loaded_.end()) {
    AddTags(seen->second, tags);
    return absl::OkStatus();
  }
  MYDOCKER_ASSIGN_OR_RETURN(std::string json, ReadBlob(d));
  MYDOCKER_ASSIGN_OR_RETURN(OciManifest manifest, ParseOciManifest(json, d.digest));
  MYDOCKER_RETURN_IF_ERROR(CheckCount(manifest.layers.size(), kMaxLayers, "layers", d.digest));
  MYDOCKER_ASSIGN_OR_RETURN(std::string config, ReadBlob(manifest.config));
  std::vector<UniqueFd> fds;
  std::vector<std::string> names;
  for (const Descriptor& layer : manifest.layers) {
    if (!IsSha256Digest(layer.digest)) {
      return absl::InvalidArgumentError(
          absl::StrCat("malformed layer digest \"", layer.digest, "\""));
    }
    std::string path = absl::StrCat("blobs/sha256/", store_files::HexOf(layer.digest));
    MYDOCKER_ASSIGN_OR_RETURN(UniqueFd fd, OpenVerified(path, layer.digest, layer.size));
    fds.push_back(std::move(fd));
    names.push_back(std::move(path));
  }
  MYDOCKER_RETURN_IF_ERROR(AddImage(config, std::move(fds), names, tags));
  loaded_["manifest " + d.digest] = Sha256Digest(config);
  return absl::OkStatus();
}

absl::Status Loader::AddLayer(UniqueFd fd, const std::string& name, const std::string& diff_id) {
  auto staged = std::find_if(layers_.begin(), layers_.end(),
                             [&](const StagedLayer& l) { return l.diff_id == diff_id; });
  if (!verified_.insert(absl::StrCat("stream ", name, " ", diff_id)).second) {
    return absl::OkStatus();
  }
  if (staged != layers_.end()) {
    // Already unpacked by this load: only check that this copy is the same stream.
    MYDOCKER_ASSIGN_OR_RETURN(auto source, HashingSource::OpenFd(std::move(fd), name));
    MYDOCKER_ASSIGN_OR_RETURN(std::string digest, source->Finish());
    if (digest != diff_id) return Tampered(name, diff_id, digest);
    return absl::OkStatus();
  }
  MYDOCKER_ASSIGN_OR_RETURN(StagedLayer layer,
                            store_files::StageLayer(store_root_, std::move(fd), name, diff_id));
  layers_.push_back(std::move(layer));
  return absl::OkStatus();
}

absl::Status Loader::AddImage(const std::string& config, std::vector<UniqueFd> layer_fds,
                              const std::vector<std::string>& names,
                              std::vector<std::string> tags) {
  Image image;
  image.id = Sha256Digest(config);
  MYDOCKER_RETURN_IF_ERROR(ParseImageConfig(config, &image, "image config " + image.id));
  MYDOCKER_RETURN_IF_ERROR(ValidateRunConfig(image.config, "image config " + image.id));
  if (image.layers.size() != layer_fds.size()) {
    return absl::InvalidArgumentError(absl::StrCat("image ", image.id, " has ", image.layers.size(),
                                                   " diff ids but ", layer_fds.size(), " layers"));
  }
  for (size_t i = 0; i < layer_fds.size(); ++i) {
    MYDOCKER_RETURN_IF_ERROR(AddLayer(std::move(layer_fds[i]), names[i], image.layers[i]));
    auto it = std::find_if(layers_.begin(), layers_.end(),
                           [&](const StagedLayer& l) { return l.diff_id == image.layers[i]; });
    image.size += it->size;
  }
  for (StagedImage& other : images_) {
    if (other.image.id != image.id) continue;
    for (std::string& tag : tags) other.image.tags.push_back(std::move(tag));
    return absl::OkStatus();
  }
  image.tags = std::move(tags);
  images_.push_back({std::move(image), config});
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::vector<Image>> ImageStore::Load(const std::string& path) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) return LastErrnoError(absl::StrCat("open ", path));
  std::unique_ptr<store_files::TempLayer> staging;
  std::string dir = path;
  if (!S_ISDIR(st.st_mode)) {
    {
      MYDOCKER_ASSIGN_OR_RETURN(FileLock lock, FileLock::Acquire(store_files::LockPath(root_)));
      MYDOCKER_ASSIGN_OR_RETURN(staging, store_files::TempLayer::Create(root_));
    }
    dir = staging->diff();
    MYDOCKER_RETURN_IF_ERROR(LayerUnpacker::Unpack(path, dir, {false, std::nullopt}).status());
  }
  UniqueFd dir_fd(::open(dir.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
  if (!dir_fd) return LastErrnoError(absl::StrCat("open ", dir));
  Loader loader(root_, dir_fd.get());
  MYDOCKER_RETURN_IF_ERROR(loader.Run());
  for (const StagedImage& staged : loader.images()) {
    MYDOCKER_RETURN_IF_ERROR(store_files::CheckMountable(root_, LayerDirs(staged.image)));
  }
  {
    MYDOCKER_ASSIGN_OR_RETURN(FileLock lock, FileLock::Acquire(store_files::LockPath(root_)));
    MYDOCKER_RETURN_IF_ERROR(store_files::CommitStaged(root_, loader.layers(), loader.images()));
  }
  std::vector<Image> out;
  for (StagedImage& staged : loader.images()) out.push_back(std::move(staged.image));
  return out;
}

}  // namespace mydocker
