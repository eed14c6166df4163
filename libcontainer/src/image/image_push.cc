// ImageStore::Push: an image of the store to a registry.
//
// The layers go gzip-compressed, as Docker pushes them (image/layer_gzip.h: streamed from the
// stored tar stream into an unnamed file, deterministic), the config as stored (its digest is
// the image id), and an OCI manifest naming the compressed blobs (the config's diff ids stay the
// uncompressed digests). For each layer: a blob recorded for it in this registry (pulled from it,
// or pushed to it before: image/layer_sources.h) is looked for first (HEAD, then a mount from the
// repository it came from), and the manifest then names it. Otherwise the layer is compressed,
// then HEAD (the registry has it: skipped), else a cross-repository mount from another repository
// of the same registry the image is tagged in (the registry answers 201), else an upload: one
// PUT, or PATCHes of chunk_size bytes then the PUT for larger blobs. Afterwards the compressed
// digests are recorded, and the image gets the reference NAME@<manifest digest>.
#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <chrono>
#include <condition_variable>
#include <csignal>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "image/archive_json.h"
#include "image/image_json.h"
#include "image/layer_gzip.h"
#include "image/layer_sources.h"
#include "image/store_files.h"
#include "mydocker/fs_util.h"
#include "mydocker/image_store.h"
#include "mydocker/pull.h"
#include "mydocker/status_macros.h"
#include "mydocker/unique_fd.h"
#include "registry/registry_client.h"

namespace mydocker {
namespace {

using layer_sources::LayerSource;
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

// The repositories of `ref`'s registry the layers' recorded blobs came from (other than its
// own): the token must allow pulling from them to mount.
std::vector<std::string> RecordedSources(const std::string& root, const Image& image,
                                         const RemoteReference& ref) {
  std::set<std::string> out;
  for (const std::string& diff_id : image.layers) {
    for (const LayerSource& s : layer_sources::Load(root, diff_id)) {
      if (s.domain == ref.domain && s.repository != ref.repository) out.insert(s.repository);
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
  Pusher(RegistryClient& client, const RemoteReference& target, const PushOptions& options,
         const PushProgress& progress, std::vector<std::string> sources)
      : client_(client),
        target_(target),
        options_(options),
        progress_(progress),
        sources_(std::move(sources)) {}

  // Sends the config `blob` from `fd` unless the registry has it or mounts it.
  absl::Status PushBlob(const Descriptor& blob, int fd) {
    if (TransferCancelled(options_)) return absl::CancelledError("interrupted");
    return SendBlob(blob, fd, "");
  }
  // Sends the stored layer `diff_id` gzip-compressed (layer_gzip.h) unless the registry has the
  // compressed blob or mounts it; sets *layer to the blob's descriptor.
  absl::Status PushLayer(const std::string& root, const std::string& diff_id, Descriptor* layer);
  // A blob recorded for the layer (layer_sources.h) that the registry has or mounted from the
  // repository it was pulled from, as the manifest then names it; nullopt when there is none.
  absl::StatusOr<std::optional<Descriptor>> ReuseRecorded(const std::string& diff_id,
                                                          const std::vector<LayerSource>& known);

 private:
  absl::Status SendBlob(const Descriptor& blob, int fd, const std::string& id);
  // An event about the layer `id` (Docker's short id: of the diff id); none for the config
  // (id ""), which Docker does not show.
  void Emit(PushEvent::Kind kind, const std::string& id, int64_t current = 0, int64_t total = 0,
            std::string from = "") {
    if (progress_ && !id.empty()) {
      progress_(PushEvent{kind, std::string(store_files::HexOf(id).substr(0, 12)), current, total,
                          std::move(from)});
    }
  }

  RegistryClient& client_;
  const RemoteReference& target_;
  const PushOptions& options_;
  const PushProgress& progress_;
  std::vector<std::string> sources_;
};

absl::Status Pusher::PushLayer(const std::string& root, const std::string& diff_id,
                               Descriptor* layer) {
  if (TransferCancelled(options_)) return absl::CancelledError("interrupted");
  Emit(PushEvent::kPreparing, diff_id);
  int64_t stored_size = 0;
  MYDOCKER_ASSIGN_OR_RETURN(UniqueFd tar, store_files::OpenLayerTar(root, diff_id, &stored_size));
  MYDOCKER_ASSIGN_OR_RETURN(
      layer_gzip::Compressed gz,
      layer_gzip::Compress(tar.get(), store_files::LayersDir(root), options_.cancel));
  *layer = Descriptor{layer_gzip::kOciGzipLayerType, gz.digest, gz.size, {}, "", "", ""};
  return SendBlob(*layer, gz.fd.get(), diff_id);
}

absl::Status Pusher::SendBlob(const Descriptor& blob, int fd, const std::string& id) {
  MYDOCKER_ASSIGN_OR_RETURN(bool has, client_.HasBlob(blob.digest));
  if (has) {
    Emit(PushEvent::kExists, id);
    return absl::OkStatus();
  }
  std::string from = sources_.empty() ? "" : sources_.front();
  MYDOCKER_ASSIGN_OR_RETURN(std::string url, client_.StartUpload(blob.digest, from));
  if (url.empty()) {
    Emit(PushEvent::kMounted, id, 0, 0, from);
    return absl::OkStatus();
  }
  MYDOCKER_RETURN_IF_ERROR(
      client_.UploadBlob(url, blob, fd, std::max<int64_t>(1, options_.chunk_size),
                         [&](int64_t sent) { Emit(PushEvent::kPushing, id, sent, blob.size); }));
  Emit(PushEvent::kPushed, id, blob.size, blob.size);
  return absl::OkStatus();
}

absl::StatusOr<std::optional<Descriptor>> Pusher::ReuseRecorded(
    const std::string& diff_id, const std::vector<LayerSource>& known) {
  for (const LayerSource& s : known) {
    if (s.domain != target_.domain) continue;
    if (TransferCancelled(options_)) return absl::CancelledError("interrupted");
    Descriptor blob{layer_sources::OciMediaType(s.media_type), s.digest, s.size, {}, "", "", ""};
    MYDOCKER_ASSIGN_OR_RETURN(bool has, client_.HasBlob(s.digest));
    if (has) {
      Emit(PushEvent::kPreparing, diff_id);
      Emit(PushEvent::kExists, diff_id);
      return blob;
    }
    if (s.repository == target_.repository) continue;
    // A 202 instead of a 201 starts an upload the registry drops unused.
    MYDOCKER_ASSIGN_OR_RETURN(std::string url, client_.StartUpload(s.digest, s.repository));
    if (url.empty()) {
      Emit(PushEvent::kPreparing, diff_id);
      Emit(PushEvent::kMounted, diff_id, 0, 0, s.repository);
      return blob;
    }
  }
  return std::nullopt;
}

using UploadTask = std::function<absl::Status(Pusher&)>;

// Runs `tasks` on up to options.parallel threads, each with a Pusher of its own (a copy of
// `client`) whose events are queued; the calling thread passes them on to `progress` as they
// come, so the caller's callback runs on the caller's thread. The first failure, or a cancel,
// stops the others (their transfers watch a flag of this call).
class ParallelUploads {
 public:
  ParallelUploads(const RegistryClient& client, const RemoteReference& target,
                  const PushOptions& options, const PushProgress& progress,
                  const std::vector<std::string>& sources)
      : client_(client),
        target_(target),
        options_(options),
        progress_(progress),
        sources_(sources) {
    worker_options_ = options;
    worker_options_.cancel = &stop_;
    queue_ = [this](const PushEvent& e) {
      std::lock_guard<std::mutex> lock(mu_);
      events_.push_back(e);
      cv_.notify_one();
    };
  }

  absl::Status Run(const std::vector<UploadTask>& tasks) {
    size_t n = std::min<size_t>(static_cast<size_t>(std::max(1, options_.parallel)), tasks.size());
    running_ = n;
    std::vector<std::thread> threads;
    for (size_t i = 0; i < n; ++i) threads.emplace_back([this, &tasks] { Work(tasks); });
    Relay();
    for (std::thread& t : threads) t.join();
    if (TransferCancelled(options_)) return absl::CancelledError("interrupted");
    return error_;
  }

 private:
  void Work(const std::vector<UploadTask>& tasks) {
    RegistryClient client = client_;
    client.set_cancel(&stop_);
    Pusher pusher(client, target_, worker_options_, queue_, sources_);
    for (;;) {
      size_t i;
      {
        std::lock_guard<std::mutex> lock(mu_);
        if (next_ >= tasks.size() || stop_ != 0) break;
        i = next_++;
      }
      absl::Status s = tasks[i](pusher);
      if (!s.ok()) Fail(s);
    }
    std::lock_guard<std::mutex> lock(mu_);
    --running_;
    cv_.notify_one();
  }

  void Fail(const absl::Status& s) {
    std::lock_guard<std::mutex> lock(mu_);
    if (error_.ok()) error_ = s;
    stop_ = 1;
  }

  // Passes the queued events on until every worker ended; a cancel stops the workers.
  void Relay() {
    for (bool done = false; !done;) {
      std::deque<PushEvent> batch;
      {
        std::unique_lock<std::mutex> lock(mu_);
        cv_.wait_for(lock, std::chrono::milliseconds(100),
                     [this] { return !events_.empty() || running_ == 0; });
        batch.swap(events_);
        done = running_ == 0;
      }
      for (const PushEvent& e : batch) {
        if (progress_ && !TransferCancelled(options_)) progress_(e);
      }
      if (TransferCancelled(options_)) stop_ = 1;
    }
  }

  const RegistryClient& client_;
  const RemoteReference& target_;
  const PushOptions& options_;
  const PushProgress& progress_;
  const std::vector<std::string>& sources_;
  PushOptions worker_options_;
  PushProgress queue_;
  volatile std::sig_atomic_t stop_ = 0;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<PushEvent> events_;
  size_t next_ = 0;
  size_t running_ = 0;
  absl::Status error_;
};

// The layers, each once (those the registry lacks uploaded options.parallel at once), then the
// config; fills the manifest.
absl::Status PushBlobs(Pusher& pusher, ParallelUploads& uploads, const std::string& root,
                       const Image& image, const std::string& config, OciManifest* manifest) {
  std::map<std::string, Descriptor> pushed;
  std::vector<UploadTask> tasks;
  for (const std::string& diff_id : image.layers) {
    if (pushed.count(diff_id) != 0) continue;
    MYDOCKER_ASSIGN_OR_RETURN(std::optional<Descriptor> reused,
                              pusher.ReuseRecorded(diff_id, layer_sources::Load(root, diff_id)));
    Descriptor& layer = pushed[diff_id];
    if (reused.has_value()) {
      layer = *reused;
      continue;
    }
    tasks.push_back(
        [&root, &layer, diff_id](Pusher& p) { return p.PushLayer(root, diff_id, &layer); });
  }
  MYDOCKER_RETURN_IF_ERROR(uploads.Run(tasks));
  for (const std::string& diff_id : image.layers) manifest->layers.push_back(pushed[diff_id]);
  manifest->config = {
      kOciConfigType, image.id, static_cast<int64_t>(config.size()), {}, "", "", ""};
  MYDOCKER_ASSIGN_OR_RETURN(UniqueFd fd, MemoryFile(config));
  return pusher.PushBlob(manifest->config, fd.get());
}

// Records the reference NAME@DIGEST of the pushed manifest for the image (as Docker does: its
// RepoDigests), unless the image was removed meanwhile; and where the layers now are
// (image/layer_sources.h), so that a push to another repository of the registry mounts them
// (only an optimisation: failures there are left out).
absl::Status RecordPushed(const std::string& root, const RemoteReference& remote,
                          const OciManifest& manifest, const Image& image,
                          const std::string& digest) {
  MYDOCKER_ASSIGN_OR_RETURN(FileLock lock, FileLock::Acquire(store_files::LockPath(root)));
  for (size_t i = 0; i < image.layers.size() && i < manifest.layers.size(); ++i) {
    const Descriptor& d = manifest.layers[i];
    layer_sources::Add(root, image.layers[i],
                       {d.digest, d.media_type, d.size, remote.domain, remote.repository})
        .IgnoreError();
  }
  if (!PathExists(store_files::RecordPath(root, image.id))) return absl::OkStatus();
  MYDOCKER_ASSIGN_OR_RETURN(Repositories repositories, store_files::LoadRepositories(root));
  repositories[absl::StrCat(remote.LocalName(), "@", digest)] = image.id;
  return WriteFileAtomic(store_files::RepositoriesPath(root), SerializeRepositories(repositories));
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
  std::vector<std::string> tagged = MountSources(*image, remote);
  std::set<std::string> scopes(tagged.begin(), tagged.end());
  for (std::string& repo : RecordedSources(root_, *image, remote)) scopes.insert(std::move(repo));
  client_options.mount_from.assign(scopes.begin(), scopes.end());
  MYDOCKER_ASSIGN_OR_RETURN(RegistryClient client, RegistryClient::Create(remote, client_options));
  MYDOCKER_RETURN_IF_ERROR(client.Ping());
  Pusher pusher(client, remote, options, progress, tagged);
  ParallelUploads uploads(client, remote, options, progress, tagged);
  OciManifest manifest;
  MYDOCKER_RETURN_IF_ERROR(PushBlobs(pusher, uploads, root_, *image, config, &manifest));
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
  MYDOCKER_RETURN_IF_ERROR(RecordPushed(root_, remote, manifest, *image, result.digest));
  return result;
}

}  // namespace mydocker
