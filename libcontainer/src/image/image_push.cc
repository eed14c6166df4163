// ImageStore::Push: an image of the store to a registry.
//
// The blobs are the ones `save` writes, so a pushed image has the digests a saved one has: each
// layer's stored tar stream exactly (uncompressed; its digest is the diff id), the config as
// stored (its digest is the image id), and an OCI manifest of them. For each layer: HEAD (the
// registry has it: skipped), else a cross-repository mount from another repository of the same
// registry the image is tagged in (the registry answers 201), else an upload streamed from the
// stored file: one PUT, or PATCHes of chunk_size bytes then the PUT for larger blobs.
#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <set>
#include <vector>

#include "absl/strings/str_cat.h"
#include "image/archive_json.h"
#include "image/image_json.h"
#include "image/store_files.h"
#include "mydocker/image_store.h"
#include "mydocker/pull.h"
#include "mydocker/status_macros.h"
#include "mydocker/unique_fd.h"
#include "registry/registry_client.h"

namespace mydocker {
namespace {

using registry::RegistryClient;
using registry::RemoteReference;

// The repositories of `ref`'s registry other than its own that `image` is tagged in: blobs of
// the image may already be there, so the registry can mount them instead of taking an upload.
std::vector<std::string> MountSources(const Image& image, const RemoteReference& ref) {
  std::set<std::string> out;
  for (const auto* names : {&image.tags, &image.digests}) {
    for (const std::string& name : *names) {
      absl::StatusOr<RemoteReference> other = registry::ParseRemoteReference(name);
      if (other.ok() && other->domain == ref.domain && other->repository != ref.repository) {
        out.insert(other->repository);
      }
    }
  }
  return {out.begin(), out.end()};
}

// A file holding `data`, for a blob kept in memory (the config).
absl::StatusOr<UniqueFd> MemoryFile(const std::string& data) {
  UniqueFd fd(::memfd_create("mydocker-blob", MFD_CLOEXEC));
  if (!fd) return LastErrnoError("memfd_create");
  MYDOCKER_RETURN_IF_ERROR(WriteAll(fd.get(), data, "blob"));
  return fd;
}

class Pusher {
 public:
  Pusher(RegistryClient& client, const PushOptions& options, const PushProgress& progress,
         std::vector<std::string> sources)
      : client_(client), options_(options), progress_(progress), sources_(std::move(sources)) {}

  // Sends `blob` from `fd` unless the registry has it or mounts it.
  absl::Status PushBlob(const Descriptor& blob, int fd);

 private:
  void Emit(PushEvent::Kind kind, const Descriptor& blob, int64_t current = 0,
            std::string from = "") {
    // Docker shows the layers only, not the config.
    if (progress_ && blob.media_type != kOciConfigType) {
      progress_(PushEvent{kind, std::string(store_files::HexOf(blob.digest).substr(0, 12)), current,
                          blob.size, std::move(from)});
    }
  }

  RegistryClient& client_;
  const PushOptions& options_;
  const PushProgress& progress_;
  std::vector<std::string> sources_;
};

absl::Status Pusher::PushBlob(const Descriptor& blob, int fd) {
  if (TransferCancelled(options_)) return absl::CancelledError("interrupted");
  Emit(PushEvent::kPreparing, blob);
  MYDOCKER_ASSIGN_OR_RETURN(bool has, client_.HasBlob(blob.digest));
  if (has) {
    Emit(PushEvent::kExists, blob);
    return absl::OkStatus();
  }
  std::string from = sources_.empty() ? "" : sources_.front();
  MYDOCKER_ASSIGN_OR_RETURN(std::string url, client_.StartUpload(blob.digest, from));
  if (url.empty()) {
    Emit(PushEvent::kMounted, blob, 0, from);
    return absl::OkStatus();
  }
  MYDOCKER_RETURN_IF_ERROR(
      client_.UploadBlob(url, blob, fd, std::max<int64_t>(1, options_.chunk_size),
                         [&](int64_t sent) { Emit(PushEvent::kPushing, blob, sent); }));
  Emit(PushEvent::kPushed, blob, blob.size);
  return absl::OkStatus();
}

// The layers, each once, then the config; fills the manifest.
absl::Status PushBlobs(Pusher& pusher, const std::string& root, const Image& image,
                       const std::string& config, OciManifest* manifest) {
  std::set<std::string> done;
  for (const std::string& diff_id : image.layers) {
    Descriptor layer{kOciLayerType, diff_id, 0, {}, "", "", ""};
    MYDOCKER_ASSIGN_OR_RETURN(UniqueFd fd, store_files::OpenLayerTar(root, diff_id, &layer.size));
    if (done.insert(diff_id).second) MYDOCKER_RETURN_IF_ERROR(pusher.PushBlob(layer, fd.get()));
    manifest->layers.push_back(layer);
  }
  manifest->config = {
      kOciConfigType, image.id, static_cast<int64_t>(config.size()), {}, "", "", ""};
  MYDOCKER_ASSIGN_OR_RETURN(UniqueFd fd, MemoryFile(config));
  return pusher.PushBlob(manifest->config, fd.get());
}

absl::StatusOr<RemoteReference> PushReference(absl::string_view ref) {
  MYDOCKER_ASSIGN_OR_RETURN(RemoteReference remote, registry::ParseRemoteReference(ref));
  if (!remote.digest.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("cannot push a digest reference \"", ref, "\": push NAME[:TAG]"));
  }
  return remote;
}

}  // namespace

absl::StatusOr<PushResult> ImageStore::Push(absl::string_view ref, const PushOptions& options,
                                            const PushProgress& progress) const {
  MYDOCKER_ASSIGN_OR_RETURN(RemoteReference remote, PushReference(ref));
  absl::StatusOr<Image> image = Resolve(remote.LocalReference());
  if (!image.ok()) {
    if (!absl::IsNotFound(image.status())) return image.status();
    return absl::NotFoundError(
        absl::StrCat("An image does not exist locally with the tag: ", remote.LocalName()));
  }
  MYDOCKER_ASSIGN_OR_RETURN(std::string config, ConfigJson(*image));
  registry::ClientOptions client_options = registry::ClientOptionsOf(options);
  client_options.actions = "pull,push";
  client_options.mount_from = MountSources(*image, remote);
  MYDOCKER_ASSIGN_OR_RETURN(RegistryClient client, RegistryClient::Create(remote, client_options));
  MYDOCKER_RETURN_IF_ERROR(client.Ping());
  Pusher pusher(client, options, progress, client_options.mount_from);
  OciManifest manifest;
  MYDOCKER_RETURN_IF_ERROR(PushBlobs(pusher, root_, *image, config, &manifest));
  std::string body = SerializeOciManifest(manifest);
  if (TransferCancelled(options)) return absl::CancelledError("interrupted");
  MYDOCKER_RETURN_IF_ERROR(client.PutManifest(remote.tag, kOciManifestType, body));
  PushResult result;
  result.repository = remote.domain == registry::kDockerHubDomain
                          ? absl::StrCat(remote.domain, "/", remote.repository)
                          : remote.LocalName();
  result.tag = remote.tag;
  result.digest = Sha256Digest(body);
  result.size = static_cast<int64_t>(body.size());
  return result;
}

}  // namespace mydocker
