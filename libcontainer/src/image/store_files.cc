#include "image/store_files.h"

#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "image/hashing_source.h"
#include "image/layer_unpacker.h"
#include "image/tar_split.h"
#include "mydocker/rootfs.h"
#include "mydocker/status_macros.h"

namespace mydocker::store_files {
namespace {

constexpr absl::string_view kSha256 = "sha256:";

absl::Status CheckDiffId(absl::string_view actual, absl::string_view expected,
                         absl::string_view name) {
  if (expected.empty() || actual == expected) return absl::OkStatus();
  return absl::InvalidArgumentError(absl::StrCat("layer ", name, " has digest ", actual,
                                                 " but the image config says ", expected));
}

absl::Status WriteSize(const TempLayer& temp, int64_t size) {
  return WriteFileAtomic(temp.path() + "/size", absl::StrCat(size), 0600);
}

// Unpacks `archive` into `temp`'s diff/, recording its stream's headers in its tar-split.
absl::StatusOr<UnpackResult> UnpackRecorded(const TempLayer& temp, UniqueFd archive,
                                            const std::string& name) {
  UniqueFd layer(::open(temp.path().c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
  if (!layer) return LastErrnoError("open " + temp.path());
  std::string record_path = absl::StrCat(temp.path(), "/", kTarSplitName);
  UniqueFd record(::open(record_path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600));
  if (!record) return LastErrnoError("create " + record_path);
  MYDOCKER_ASSIGN_OR_RETURN(std::unique_ptr<TarSplitWriter> split,
                            TarSplitWriter::Create(record.get(), record_path));
  UnpackOptions options;
  options.split = split.get();
  options.layer_fd = layer.get();
  return LayerUnpacker::UnpackFd(std::move(archive), name, temp.diff(), options);
}

}  // namespace

absl::string_view HexOf(absl::string_view digest) {
  if (absl::StartsWith(digest, kSha256)) digest.remove_prefix(kSha256.size());
  return digest;
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
std::string LayerTarPath(const std::string& root, absl::string_view diff_id) {
  return LayerDir(root, diff_id) + "/layer.tar";
}

absl::StatusOr<UniqueFd> OpenLayerTar(const std::string& root, absl::string_view diff_id,
                                      int64_t* size) {
  std::string tar = LayerTarPath(root, diff_id);
  UniqueFd fd(::open(tar.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd && errno == ENOENT) {
    std::string dir = LayerDir(root, diff_id);
    UniqueFd layer(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
    if (layer && ::faccessat(layer.get(), kTarSplitName, F_OK, AT_SYMLINK_NOFOLLOW) == 0) {
      // Rebuilt into an unnamed file and checked whole before anyone reads a byte of it.
      MYDOCKER_ASSIGN_OR_RETURN(UniqueFd out, CreateUnnamedFile(LayersDir(root)));
      MYDOCKER_ASSIGN_OR_RETURN(*size, RebuildLayerStream(layer.get(), diff_id, out.get()));
      if (::lseek(out.get(), 0, SEEK_SET) != 0) return LastErrnoError("seek rebuilt layer");
      return out;
    }
  }
  if (!fd) {
    return absl::FailedPreconditionError(
        absl::StrCat("layer ", diff_id, " has no stored tar stream (", tar,
                     "): it was stored by an older version; import the image again"));
  }
  struct stat st;
  if (::fstat(fd.get(), &st) != 0) return LastErrnoError("stat " + tar);
  *size = st.st_size;
  return fd;
}

int64_t StoredLayerSize(const std::string& root, absl::string_view diff_id) {
  absl::StatusOr<std::string> text = ReadFile(LayerDir(root, diff_id) + "/size");
  int64_t size = 0;
  if (!text.ok() || !absl::SimpleAtoi(*text, &size)) return 0;
  return size;
}

absl::StatusOr<Repositories> LoadRepositories(const std::string& root) {
  std::string path = RepositoriesPath(root);
  absl::StatusOr<std::string> data = ReadFile(path);
  if (absl::IsNotFound(data.status())) return Repositories{};
  if (!data.ok()) return data.status();
  return ParseRepositories(*data, path);
}

absl::Status CheckMountable(const std::string& root, const std::vector<std::string>& layer_dirs) {
  // A container directory as long as a real one (<root>/containers/<64 hex digits>).
  Rootfs rootfs(absl::StrCat(root, "/containers/", std::string(64, '0')), layer_dirs);
  return rootfs.OverlayOptions().status();
}

absl::Status DiscardLayer(const std::string& root, absl::string_view diff_id) {
  // Out of sight first, so that a removal cut short never leaves a half-empty layer under its
  // real name for a later import to reuse.
  std::string doomed = absl::StrCat(LayersDir(root), "/tmp-rm-", HexOf(diff_id));
  MYDOCKER_RETURN_IF_ERROR(RemoveAll(doomed));
  std::string layer = LayerDir(root, diff_id);
  if (::rename(layer.c_str(), doomed.c_str()) != 0) {
    if (errno == ENOENT) return absl::OkStatus();
    return LastErrnoError(absl::StrCat("rename ", layer, " to ", doomed));
  }
  return RemoveAll(doomed);
}

absl::StatusOr<std::unique_ptr<TempLayer>> TempLayer::Create(const std::string& root) {
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

TempLayer::~TempLayer() {
  if (!path_.empty()) RemoveAll(path_).IgnoreError();
}

absl::Status TempLayer::SweepStale(const std::string& root) {
  MYDOCKER_ASSIGN_OR_RETURN(std::vector<std::string> names, ListDir(LayersDir(root)));
  for (const std::string& name : names) {
    if (!absl::StartsWith(name, "tmp-")) continue;
    std::string path = absl::StrCat(LayersDir(root), "/", name);
    absl::StatusOr<FileLock> lock = FileLock::TryAcquire(path);
    // Best effort: a leftover that cannot go (a mount point inside, EIO) must not make every
    // later load, import and commit fail; it is tried again next time.
    if (lock.ok()) RemoveAll(path).IgnoreError();
  }
  return absl::OkStatus();
}

absl::StatusOr<StagedLayer> StageLayer(const std::string& root, UniqueFd archive,
                                       const std::string& name,
                                       absl::string_view expected_diff_id) {
  if (!expected_diff_id.empty() && PathExists(LayerDir(root, expected_diff_id))) {
    // Already stored: the content is known, only the archive's honesty is checked.
    MYDOCKER_ASSIGN_OR_RETURN(std::unique_ptr<HashingSource> source,
                              HashingSource::OpenFd(std::move(archive), name));
    MYDOCKER_ASSIGN_OR_RETURN(std::string digest, source->Finish());
    MYDOCKER_RETURN_IF_ERROR(CheckDiffId(digest, expected_diff_id, name));
    return StagedLayer{digest, StoredLayerSize(root, digest), nullptr};
  }
  std::unique_ptr<TempLayer> temp;
  {
    MYDOCKER_ASSIGN_OR_RETURN(FileLock lock, FileLock::Acquire(LockPath(root)));
    MYDOCKER_ASSIGN_OR_RETURN(temp, TempLayer::Create(root));
  }
  // Unpacking is the slow part; it runs unlocked in a directory only this operation knows.
  MYDOCKER_ASSIGN_OR_RETURN(UnpackResult unpacked, UnpackRecorded(*temp, std::move(archive), name));
  MYDOCKER_RETURN_IF_ERROR(CheckDiffId(unpacked.diff_id, expected_diff_id, name));
  MYDOCKER_RETURN_IF_ERROR(WriteSize(*temp, unpacked.size));
  return StagedLayer{unpacked.diff_id, unpacked.size, std::move(temp)};
}

absl::StatusOr<StagedLayer> StageWrittenLayer(std::unique_ptr<TempLayer> temp) {
  UniqueFd tar(::open(temp->layer_tar().c_str(), O_RDONLY | O_CLOEXEC));
  if (!tar) return LastErrnoError("open " + temp->layer_tar());
  MYDOCKER_ASSIGN_OR_RETURN(UnpackResult unpacked,
                            UnpackRecorded(*temp, std::move(tar), temp->layer_tar()));
  if (::unlink(temp->layer_tar().c_str()) != 0)
    return LastErrnoError("remove " + temp->layer_tar());
  MYDOCKER_RETURN_IF_ERROR(WriteSize(*temp, unpacked.size));
  return StagedLayer{unpacked.diff_id, unpacked.size, std::move(temp)};
}

absl::Status CommitStaged(const std::string& root, std::vector<StagedLayer>& layers,
                          const std::vector<StagedImage>& images) {
  MYDOCKER_ASSIGN_OR_RETURN(Repositories repositories, LoadRepositories(root));
  std::vector<std::string> placed;
  std::vector<std::string> records;
  auto undo = [&] {
    for (const std::string& record : records) ::unlink(record.c_str());
    for (const std::string& layer : placed) DiscardLayer(root, layer).IgnoreError();
  };
  absl::Status status;
  for (StagedLayer& layer : layers) {
    std::string dir = LayerDir(root, layer.diff_id);
    if (PathExists(dir)) continue;  // stored, or an identical one got there first
    if (layer.temp == nullptr) {
      status = absl::AbortedError(absl::StrCat("layer ", layer.diff_id, " was removed meanwhile"));
    } else if (::rename(layer.temp->path().c_str(), dir.c_str()) != 0) {
      status = LastErrnoError(absl::StrCat("rename ", layer.temp->path(), " to ", dir));
    } else {
      layer.temp->Release();
      placed.push_back(layer.diff_id);
    }
    if (!status.ok()) break;
  }
  for (size_t i = 0; status.ok() && i < images.size(); ++i) {
    std::string record = RecordPath(root, images[i].image.id);
    if (PathExists(record)) continue;  // the same id is the same config
    status = WriteFileAtomic(record, SerializeImageRecord(images[i].image, images[i].config));
    if (status.ok()) records.push_back(record);
  }
  if (status.ok()) {
    for (const StagedImage& staged : images) {
      for (const std::string& tag : staged.image.tags) repositories[tag] = staged.image.id;
    }
    status = WriteFileAtomic(RepositoriesPath(root), SerializeRepositories(repositories));
  }
  if (!status.ok()) undo();
  return status;
}

}  // namespace mydocker::store_files
