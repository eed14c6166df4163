// ImageStore::Save: one tar holding a Docker save archive and an OCI image layout at once, as
// Docker 25 and later write it: blobs/sha256/<hex> for configs, manifests and layers (each once),
// index.json + oci-layout for OCI tools, manifest.json + repositories for Docker's loader.
#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <map>
#include <memory>
#include <set>
#include <vector>

#include "absl/strings/str_cat.h"
#include "image/archive_json.h"
#include "image/image_json.h"
#include "image/store_files.h"
#include "mydocker/image_store.h"
#include "mydocker/status_macros.h"
#include "mydocker/unique_fd.h"

namespace mydocker {
namespace {

using ArchivePtr = std::unique_ptr<struct archive, decltype(&archive_write_free)>;

// One image to save with the tags asked for.
struct SaveItem {
  Image image;
  std::vector<std::string> tags;
};

class ArchiveWriter {
 public:
  explicit ArchiveWriter(struct archive* tar) : tar_(tar) {}

  absl::Status AddBytes(const std::string& path, absl::string_view data) {
    MYDOCKER_RETURN_IF_ERROR(Header(path, static_cast<int64_t>(data.size())));
    if (!data.empty() && archive_write_data(tar_, data.data(), data.size()) < 0) return Error(path);
    return absl::OkStatus();
  }

  absl::Status AddFile(const std::string& path, int fd) {
    struct stat st;
    if (::fstat(fd, &st) != 0) return LastErrnoError(absl::StrCat("stat blob for ", path));
    MYDOCKER_RETURN_IF_ERROR(Header(path, st.st_size));
    std::vector<char> buffer(64 * 1024);
    int64_t left = st.st_size;
    while (left > 0) {
      ssize_t n = ::read(fd, buffer.data(), buffer.size());
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) return LastErrnoError(absl::StrCat("read blob for ", path));
      if (n == 0) return absl::DataLossError(absl::StrCat("blob for ", path, " shrank"));
      if (archive_write_data(tar_, buffer.data(), static_cast<size_t>(n)) < 0) return Error(path);
      left -= n;
    }
    return absl::OkStatus();
  }

  // Adds blobs/sha256/<hex> once; returns its path.
  absl::StatusOr<std::string> AddBlob(absl::string_view digest, absl::string_view data) {
    std::string path = BlobPath(digest);
    if (written_.insert(path).second) MYDOCKER_RETURN_IF_ERROR(AddBytes(path, data));
    return path;
  }

  static std::string BlobPath(absl::string_view digest) {
    return absl::StrCat("blobs/sha256/", store_files::HexOf(digest));
  }
  bool Has(const std::string& path) const { return written_.count(path) > 0; }
  void Mark(const std::string& path) { written_.insert(path); }

 private:
  absl::Status Header(const std::string& path, int64_t size) {
    std::unique_ptr<archive_entry, decltype(&archive_entry_free)> e(archive_entry_new(),
                                                                    &archive_entry_free);
    archive_entry_set_pathname(e.get(), path.c_str());
    archive_entry_set_filetype(e.get(), AE_IFREG);
    archive_entry_set_perm(e.get(), 0644);
    archive_entry_set_size(e.get(), size);
    if (archive_write_header(tar_, e.get()) < ARCHIVE_WARN) return Error(path);
    return absl::OkStatus();
  }
  absl::Status Error(const std::string& path) {
    return absl::InternalError(absl::StrCat("write ", path, ": ", archive_error_string(tar_)));
  }

  struct archive* tar_;
  std::set<std::string> written_;
};

// The requested tag when `ref` names the image by one, else none (an id saves it untagged).
std::vector<std::string> TagsAskedFor(absl::string_view ref, const Image& image) {
  auto parsed = ParseImageReference(ref);
  if (!parsed.ok()) return {};
  std::string tag = absl::StrCat(parsed->first, ":", parsed->second);
  for (const std::string& t : image.tags) {
    if (t == tag) return {tag};
  }
  return {};
}

absl::Status WriteLayers(ArchiveWriter& out, const std::string& root, const Image& image,
                         OciManifest* manifest, DockerManifestEntry* entry) {
  for (const std::string& diff_id : image.layers) {
    int64_t size = 0;
    MYDOCKER_ASSIGN_OR_RETURN(UniqueFd fd, store_files::OpenLayerTar(root, diff_id, &size));
    std::string path = ArchiveWriter::BlobPath(diff_id);
    if (!out.Has(path)) {
      MYDOCKER_RETURN_IF_ERROR(out.AddFile(path, fd.get()));
      out.Mark(path);
    }
    manifest->layers.push_back({kOciLayerType, diff_id, size, {}, "", "", ""});
    entry->layers.push_back(path);
  }
  return absl::OkStatus();
}

absl::Status WriteImage(ArchiveWriter& out, const std::string& root, const SaveItem& item,
                        const std::string& config, std::vector<Descriptor>* index,
                        std::vector<DockerManifestEntry>* docker) {
  DockerManifestEntry entry;
  MYDOCKER_ASSIGN_OR_RETURN(entry.config, out.AddBlob(item.image.id, config));
  entry.repo_tags = item.tags;
  OciManifest manifest;
  manifest.config = {
      kOciConfigType, item.image.id, static_cast<int64_t>(config.size()), {}, "", "", ""};
  MYDOCKER_RETURN_IF_ERROR(WriteLayers(out, root, item.image, &manifest, &entry));
  std::string manifest_json = SerializeOciManifest(manifest);
  std::string digest = Sha256Digest(manifest_json);
  MYDOCKER_RETURN_IF_ERROR(out.AddBlob(digest, manifest_json).status());
  Descriptor d{
      kOciManifestType, digest, static_cast<int64_t>(manifest_json.size()), {}, "", "", ""};
  if (item.tags.empty()) index->push_back(d);
  // The full reference in both: skopeo and umoci find an image of an OCI layout by ref.name.
  for (const std::string& tag : item.tags) {
    d.annotations = {{kContainerdNameAnnotation, tag}, {kRefNameAnnotation, tag}};
    index->push_back(d);
  }
  docker->push_back(std::move(entry));
  return absl::OkStatus();
}

absl::Status WriteIndexes(ArchiveWriter& out, const std::vector<SaveItem>& items,
                          const std::vector<Descriptor>& index,
                          const std::vector<DockerManifestEntry>& docker) {
  std::map<std::string, std::map<std::string, std::string>> repositories;
  for (const SaveItem& item : items) {
    for (const std::string& tag : item.tags) {
      size_t colon = tag.rfind(':');
      repositories[tag.substr(0, colon)][tag.substr(colon + 1)] =
          std::string(store_files::HexOf(item.image.layers.back()));
    }
  }
  MYDOCKER_RETURN_IF_ERROR(out.AddBytes("oci-layout", "{\"imageLayoutVersion\":\"1.0.0\"}"));
  MYDOCKER_RETURN_IF_ERROR(out.AddBytes("index.json", SerializeOciIndex(index)));
  MYDOCKER_RETURN_IF_ERROR(out.AddBytes("manifest.json", SerializeDockerManifest(docker)));
  return out.AddBytes("repositories", SerializeDockerRepositories(repositories));
}

}  // namespace

absl::Status ImageStore::Save(const std::vector<std::string>& refs, int out_fd) const {
  if (refs.empty()) return absl::InvalidArgumentError("no image to save");
  std::vector<SaveItem> items;
  for (const std::string& ref : refs) {
    MYDOCKER_ASSIGN_OR_RETURN(Image image, Resolve(ref));
    std::vector<std::string> tags = TagsAskedFor(ref, image);
    auto same = std::find_if(items.begin(), items.end(),
                             [&](const SaveItem& i) { return i.image.id == image.id; });
    if (same == items.end()) {
      items.push_back({std::move(image), tags});
    } else {
      for (const std::string& t : tags) {
        if (std::find(same->tags.begin(), same->tags.end(), t) == same->tags.end()) {
          same->tags.push_back(t);
        }
      }
    }
  }
  ArchivePtr tar(archive_write_new(), &archive_write_free);
  if (tar == nullptr) return absl::ResourceExhaustedError("allocate archive writer");
  archive_write_set_format_pax_restricted(tar.get());
  if (archive_write_open_fd(tar.get(), out_fd) != ARCHIVE_OK) {
    return absl::InternalError(absl::StrCat("open tar writer: ", archive_error_string(tar.get())));
  }
  ArchiveWriter out(tar.get());
  std::vector<Descriptor> index;
  std::vector<DockerManifestEntry> docker;
  for (const SaveItem& item : items) {
    MYDOCKER_ASSIGN_OR_RETURN(std::string config, ConfigJson(item.image));
    MYDOCKER_RETURN_IF_ERROR(WriteImage(out, root_, item, config, &index, &docker));
  }
  MYDOCKER_RETURN_IF_ERROR(WriteIndexes(out, items, index, docker));
  if (archive_write_close(tar.get()) != ARCHIVE_OK) {
    return absl::InternalError(absl::StrCat("finish tar: ", archive_error_string(tar.get())));
  }
  return absl::OkStatus();
}

}  // namespace mydocker
