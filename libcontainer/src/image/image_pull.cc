// ImageStore::Pull: an image from a registry into the store.
//
// The manifest (through a manifest list or OCI index, for the platform asked for) and the config
// are read into memory, bounded and verified against their digests. Layers not already stored
// are downloaded, a few at once, into files of a temporary layer directory of the store (never
// into memory), each checked for its size and compressed digest; then each is unpacked by the
// same path as `load` (StageLayer), which checks its diff id against the config's. The image and
// its references are committed under the store lock only when all of that succeeded; before, no
// layer is visible under its digest. A failure or a cancel removes the temporary directories; a
// kill leaves them locked by nobody, and the next operation on the store sweeps them.
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <map>
#include <memory>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "image/archive_json.h"
#include "image/image_json.h"
#include "image/layer_sources.h"
#include "image/store_files.h"
#include "json_util.h"
#include "mydocker/events.h"
#include "mydocker/image_store.h"
#include "mydocker/pull.h"
#include "mydocker/status_macros.h"
#include "registry/registry_client.h"

namespace mydocker {
namespace {

using registry::BlobDownload;
using registry::ClientOptionsOf;
using registry::FetchedManifest;
using registry::RegistryClient;
using registry::RemoteReference;
using store_files::StagedImage;
using store_files::StagedLayer;
using store_files::TempLayer;

constexpr size_t kMaxConfigSize = 8 << 20;
constexpr size_t kMaxLayers = 128;

struct Platform {
  std::string os, architecture, variant;
  std::string ToString() const {
    return absl::StrCat(os, "/", architecture, variant.empty() ? "" : "/", variant);
  }
};

absl::StatusOr<Platform> ParsePlatform(absl::string_view text) {
  if (text.empty()) return Platform{"linux", kImageArchitecture, ""};
  std::vector<std::string> parts = absl::StrSplit(text, '/');
  if (parts.size() < 2 || parts.size() > 3 || parts[0].empty() || parts[1].empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("invalid platform \"", text, "\": want os/arch[/variant]"));
  }
  return Platform{parts[0], parts[1], parts.size() == 3 ? parts[2] : ""};
}

absl::StatusOr<Descriptor> SelectPlatform(const std::vector<Descriptor>& manifests,
                                          const Platform& want) {
  for (const Descriptor& d : manifests) {
    if (d.os == want.os && d.architecture == want.architecture &&
        (want.variant.empty() || d.variant == want.variant)) {
      return d;
    }
  }
  return absl::NotFoundError(
      absl::StrCat("no matching manifest for ", want.ToString(), " in the manifest list entries"));
}

// The manifest's media type: the Content-Type the registry gave, else the body's mediaType.
std::string MediaTypeOf(const FetchedManifest& m) {
  if (m.media_type == kOciIndexType || m.media_type == kDockerListType ||
      m.media_type == kOciManifestType || m.media_type == kDockerManifestType) {
    return m.media_type;
  }
  rapidjson::Document doc;
  if (!json::Parse(m.body, "manifest", &doc).ok()) return m.media_type;
  auto it = doc.FindMember("mediaType");
  if (it != doc.MemberEnd() && it->value.IsString()) return it->value.GetString();
  if (doc.HasMember("manifests")) return kOciIndexType;
  return m.media_type;
}

bool IsIndex(absl::string_view type) { return type == kOciIndexType || type == kDockerListType; }

// A single-platform image pulled with --platform: its config must name that platform (as
// Docker: "... does not match the specified platform").
absl::Status CheckConfigPlatform(const std::string& config, const Platform& want,
                                 const std::string& reference) {
  rapidjson::Document doc;
  MYDOCKER_RETURN_IF_ERROR(json::Parse(config, "image config", &doc));
  auto field = [&](const char* name) -> std::string {
    auto it = doc.FindMember(name);
    return it != doc.MemberEnd() && it->value.IsString() ? it->value.GetString() : "";
  };
  Platform got{field("os"), field("architecture"), field("variant")};
  if (got.os == want.os && got.architecture == want.architecture &&
      (want.variant.empty() || got.variant == want.variant)) {
    return absl::OkStatus();
  }
  return absl::NotFoundError(absl::StrCat("image with reference ", reference,
                                          " was found but does not match the specified platform: "
                                          "wanted ",
                                          want.ToString(), ", actual: ", got.ToString()));
}

std::string ShortLayerId(absl::string_view digest) {
  return std::string(store_files::HexOf(digest).substr(0, 12));
}

// One pull.
class Puller {
 public:
  Puller(const ImageStore& store, std::string root, RemoteReference ref, const PullOptions& options,
         const PullProgress& progress)
      : store_(store),
        root_(std::move(root)),
        ref_(std::move(ref)),
        options_(options),
        progress_(progress) {}

  absl::StatusOr<PullResult> Run();

 private:
  absl::StatusOr<OciManifest> ResolveManifest(RegistryClient& client, std::string* digest);
  absl::Status FetchLayers(RegistryClient& client, const OciManifest& manifest, const Image& image,
                           std::vector<StagedLayer>* staged);
  absl::Status StageDownloaded(const TempLayer& downloads, const OciManifest& manifest,
                               const Image& image, std::vector<StagedLayer>* staged);
  void RecordSources(const OciManifest& manifest, const Image& image) const;
  void Emit(PullEvent::Kind kind, absl::string_view digest, int64_t current = 0,
            int64_t total = 0) {
    if (progress_)
      progress_(PullEvent{kind, digest.empty() ? "" : ShortLayerId(digest), current, total});
  }
  std::string BlobPath(const TempLayer& t, absl::string_view digest) const {
    return absl::StrCat(t.path(), "/blob-", store_files::HexOf(digest));
  }

  const ImageStore& store_;
  std::string root_;
  RemoteReference ref_;
  const PullOptions& options_;
  const PullProgress& progress_;
  bool downloaded_ = false;
  bool from_index_ = false;  // the manifest was chosen from a list for the platform
};

absl::StatusOr<OciManifest> Puller::ResolveManifest(RegistryClient& client, std::string* digest) {
  MYDOCKER_ASSIGN_OR_RETURN(Platform platform, ParsePlatform(options_.platform));
  MYDOCKER_ASSIGN_OR_RETURN(FetchedManifest top, client.GetManifest(ref_.TagOrDigest()));
  *digest = top.digest;
  std::string type = MediaTypeOf(top);
  if (IsIndex(type)) {
    MYDOCKER_ASSIGN_OR_RETURN(std::vector<Descriptor> list,
                              ParseOciIndex(top.body, "manifest list " + top.digest));
    MYDOCKER_ASSIGN_OR_RETURN(Descriptor chosen, SelectPlatform(list, platform));
    if (!IsSha256Digest(chosen.digest)) {
      return absl::InvalidArgumentError("the manifest list names a malformed digest");
    }
    MYDOCKER_ASSIGN_OR_RETURN(top, client.GetManifest(chosen.digest));
    type = MediaTypeOf(top);
    from_index_ = true;
  }
  if (type != kOciManifestType && type != kDockerManifestType) {
    return absl::InvalidArgumentError(
        absl::StrCat("unsupported manifest type \"", type.substr(0, 100),
                     "\" (Docker schema 2, OCI manifests, manifest lists and OCI indexes are)"));
  }
  MYDOCKER_ASSIGN_OR_RETURN(OciManifest manifest, ParseOciManifest(top.body, top.digest));
  if (manifest.layers.size() > kMaxLayers) {
    return absl::InvalidArgumentError(absl::StrCat("manifest ", top.digest, " lists ",
                                                   manifest.layers.size(), " layers, more than ",
                                                   kMaxLayers));
  }
  for (const Descriptor& layer : manifest.layers) {
    if (!IsSha256Digest(layer.digest) || layer.size < 0) {
      return absl::InvalidArgumentError(
          absl::StrCat("manifest ", top.digest, " has a layer without a sha256 digest and size"));
    }
  }
  return manifest;
}

absl::Status Puller::StageDownloaded(const TempLayer& downloads, const OciManifest& manifest,
                                     const Image& image, std::vector<StagedLayer>* staged) {
  for (size_t i = 0; i < manifest.layers.size(); ++i) {
    const std::string& diff_id = image.layers[i];
    if (std::any_of(staged->begin(), staged->end(),
                    [&](const StagedLayer& l) { return l.diff_id == diff_id; })) {
      continue;
    }
    if (TransferCancelled(options_)) return absl::CancelledError("interrupted");
    const Descriptor& d = manifest.layers[i];
    std::string path = BlobPath(downloads, d.digest);
    UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (!fd) {
      // Already stored when the pull began: not downloaded.
      staged->push_back(StagedLayer{diff_id, store_files::StoredLayerSize(root_, diff_id), {}});
      continue;
    }
    Emit(PullEvent::kExtracting, d.digest);
    MYDOCKER_ASSIGN_OR_RETURN(
        StagedLayer layer,
        store_files::StageLayer(root_, std::move(fd), "layer " + d.digest, diff_id));
    ::unlink(path.c_str());
    staged->push_back(std::move(layer));
    Emit(PullEvent::kLayerDone, d.digest);
  }
  return absl::OkStatus();
}

absl::Status Puller::FetchLayers(RegistryClient& client, const OciManifest& manifest,
                                 const Image& image, std::vector<StagedLayer>* staged) {
  std::unique_ptr<TempLayer> downloads;
  {
    MYDOCKER_ASSIGN_OR_RETURN(FileLock lock, FileLock::Acquire(store_files::LockPath(root_)));
    MYDOCKER_ASSIGN_OR_RETURN(downloads, TempLayer::Create(root_));
  }
  std::vector<BlobDownload> blobs;
  std::vector<UniqueFd> fds;
  for (size_t i = 0; i < manifest.layers.size(); ++i) {
    const Descriptor& d = manifest.layers[i];
    bool queued = std::any_of(blobs.begin(), blobs.end(), [&](const BlobDownload& b) {
      return b.descriptor.digest == d.digest;
    });
    if (PathExists(store_files::LayerDir(root_, image.layers[i]))) {
      Emit(PullEvent::kLayerExists, d.digest);
      continue;
    }
    if (queued) continue;
    std::string path = BlobPath(*downloads, d.digest);
    // Read and write: a resumed download hashes again the part it has (registry/http.h).
    UniqueFd fd(::open(path.c_str(), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600));
    if (!fd) return LastErrnoError("create " + path);
    Emit(PullEvent::kLayerWaiting, d.digest);
    blobs.push_back(BlobDownload{d, fd.get(), [this, d](int64_t got) {
                                   Emit(PullEvent::kDownloading, d.digest, got, d.size);
                                 }});
    fds.push_back(std::move(fd));
  }
  MYDOCKER_RETURN_IF_ERROR(client.DownloadBlobs(blobs, std::max(1, options_.parallel)));
  fds.clear();
  for (const BlobDownload& b : blobs) Emit(PullEvent::kDownloaded, b.descriptor.digest);
  downloaded_ = downloaded_ || !blobs.empty();
  return StageDownloaded(*downloads, manifest, image, staged);
}

// Where each layer's compressed blob came from, for a later push (image/layer_sources.h). Only
// an optimisation: a record that cannot be written is left out.
void Puller::RecordSources(const OciManifest& manifest, const Image& image) const {
  for (size_t i = 0; i < manifest.layers.size(); ++i) {
    const Descriptor& d = manifest.layers[i];
    if (d.digest == image.layers[i]) continue;  // uncompressed: the push's HEAD finds it
    layer_sources::Add(root_, image.layers[i],
                       {d.digest, d.media_type, d.size, ref_.domain, ref_.repository})
        .IgnoreError();
  }
}

absl::StatusOr<PullResult> Puller::Run() {
  MYDOCKER_ASSIGN_OR_RETURN(RegistryClient client,
                            RegistryClient::Create(ref_, ClientOptionsOf(options_)));
  MYDOCKER_RETURN_IF_ERROR(client.Ping());
  PullResult result;
  MYDOCKER_ASSIGN_OR_RETURN(OciManifest manifest, ResolveManifest(client, &result.digest));
  Emit(PullEvent::kResolved, "", 0, static_cast<int64_t>(manifest.layers.size()));
  if (!IsSha256Digest(manifest.config.digest)) {
    return absl::InvalidArgumentError("the manifest's config has no sha256 digest");
  }
  MYDOCKER_ASSIGN_OR_RETURN(std::string config, client.GetBlob(manifest.config, kMaxConfigSize));
  Image image;
  image.id = Sha256Digest(config);
  std::string what = "image config " + image.id;
  MYDOCKER_RETURN_IF_ERROR(ParseImageConfig(config, &image, what));
  if (!from_index_ && !options_.platform.empty()) {
    MYDOCKER_ASSIGN_OR_RETURN(Platform want, ParsePlatform(options_.platform));
    MYDOCKER_RETURN_IF_ERROR(CheckConfigPlatform(config, want, ref_.LocalReference()));
  }
  MYDOCKER_RETURN_IF_ERROR(ValidateRunConfig(image.config, what));
  if (image.layers.size() != manifest.layers.size()) {
    return absl::InvalidArgumentError(absl::StrCat(what, " has ", image.layers.size(),
                                                   " diff ids but the manifest ",
                                                   manifest.layers.size(), " layers"));
  }
  downloaded_ = !PathExists(store_files::RecordPath(root_, image.id));
  std::vector<StagedLayer> layers;
  MYDOCKER_RETURN_IF_ERROR(FetchLayers(client, manifest, image, &layers));
  for (const StagedLayer& layer : layers) image.size += layer.size;
  image.tags.push_back(absl::StrCat(ref_.LocalName(), "@", result.digest));
  if (ref_.digest.empty()) image.tags.push_back(ref_.LocalReference());
  MYDOCKER_RETURN_IF_ERROR(store_files::CheckMountable(root_, store_.LayerDirs(image)));
  if (TransferCancelled(options_)) return absl::CancelledError("interrupted");
  {
    MYDOCKER_ASSIGN_OR_RETURN(FileLock lock, FileLock::Acquire(store_files::LockPath(root_)));
    MYDOCKER_RETURN_IF_ERROR(
        store_files::CommitStaged(root_, layers, {StagedImage{image, config}}));
    RecordSources(manifest, image);
  }
  result.reference = ref_.LocalReference();
  result.full_reference = ref_.FullReference();
  result.tag_or_digest = ref_.TagOrDigest();
  result.repository = ref_.repository;
  result.downloaded = downloaded_;
  result.image = std::move(image);
  return result;
}

}  // namespace

absl::StatusOr<PullResult> ImageStore::Pull(absl::string_view ref, const PullOptions& options,
                                            const PullProgress& progress) {
  MYDOCKER_ASSIGN_OR_RETURN(RemoteReference remote, registry::ParseRemoteReference(ref));
  MYDOCKER_RETURN_IF_ERROR(ParsePlatform(options.platform).status());
  Puller puller(*this, root_, std::move(remote), options, progress);
  MYDOCKER_ASSIGN_OR_RETURN(PullResult result, puller.Run());
  std::vector<std::string> tags, digests;
  for (std::string& t : result.image.tags) {
    (t.find('@') == std::string::npos ? tags : digests).push_back(std::move(t));
  }
  result.image.tags = std::move(tags);
  result.image.digests = std::move(digests);
  RecordEvent(root_, {"image", "pull", result.reference, {{"name", result.reference}}});
  return result;
}

}  // namespace mydocker
