// Images (tag, save, load, history) and volumes through the C ABI (1.6): the CLI's `tag`,
// `save`, `load`, `history` and `volume ...` over the same core calls.
#include <string>
#include <vector>

#include "internal.h"
#include "mydocker/image_store.h"
#include "mydocker/state_store.h"
#include "mydocker/status_macros.h"
#include "mydocker/views.h"
#include "mydocker/volume_store.h"
#include "rapidjson/stringbuffer.h"
#include "rapidjson/writer.h"

namespace mydocker::capi {
namespace {

using JsonWriter = rapidjson::Writer<rapidjson::StringBuffer>;

void String(JsonWriter& w, const char* key, const std::string& value) {
  w.Key(key);
  w.String(value.data(), static_cast<rapidjson::SizeType>(value.size()));
}

void Strings(JsonWriter& w, const char* key, const std::vector<std::string>& values) {
  w.Key(key);
  w.StartArray();
  for (const std::string& v : values)
    w.String(v.data(), static_cast<rapidjson::SizeType>(v.size()));
  w.EndArray();
}

// What `load` gives: each image's id and the tags it received.
std::string LoadedImages(const std::vector<Image>& images) {
  rapidjson::StringBuffer buf;
  JsonWriter w(buf);
  w.StartArray();
  for (const Image& image : images) {
    w.StartObject();
    String(w, "Id", image.id);
    Strings(w, "RepoTags", image.tags);
    w.EndObject();
  }
  w.EndArray();
  return buf.GetString();
}

// Docker's image history objects (the Engine API's ImageHistoryResponseItem), newest first.
std::string HistoryJson(const Image& image, const std::vector<HistoryEntry>& history) {
  rapidjson::StringBuffer buf;
  JsonWriter w(buf);
  w.StartArray();
  for (size_t i = 0; i < history.size(); ++i) {
    const HistoryEntry& h = history[i];
    w.StartObject();
    String(w, "Id", i == 0 ? image.id : "<missing>");
    w.Key("Created");
    w.Int64(absl::ToUnixSeconds(h.created));
    String(w, "CreatedBy", h.created_by);
    Strings(w, "Tags", i == 0 ? image.tags : std::vector<std::string>());
    w.Key("Size");
    w.Int64(h.size);
    String(w, "Comment", h.comment);
    w.EndObject();
  }
  w.EndArray();
  return buf.GetString();
}

absl::Status RequireRuntime(mydocker_runtime_t* runtime) { return Require(runtime, "runtime"); }

}  // namespace
}  // namespace mydocker::capi

using namespace mydocker::capi;  // NOLINT(build/namespaces)

extern "C" {

int mydocker_image_tag(mydocker_runtime_t* runtime, const char* source, const char* target,
                       mydocker_error_t** errptr) {
  return Guard(errptr, [&]() -> absl::Status {
    MYDOCKER_RETURN_IF_ERROR(RequireRuntime(runtime));
    MYDOCKER_RETURN_IF_ERROR(Require(source, "source image"));
    MYDOCKER_RETURN_IF_ERROR(Require(target, "target reference"));
    return runtime->runtime->images().Tag(source, target);
  });
}

int mydocker_image_save(mydocker_runtime_t* runtime, const char* const* refs, int out_fd,
                        mydocker_error_t** errptr) {
  return Guard(errptr, [&]() -> absl::Status {
    MYDOCKER_RETURN_IF_ERROR(RequireRuntime(runtime));
    MYDOCKER_RETURN_IF_ERROR(Require(refs, "image references"));
    if (out_fd < 0) return absl::InvalidArgumentError("save: no descriptor to write to");
    return runtime->runtime->images().Save(Strings(refs), out_fd);
  });
}

int mydocker_image_load(mydocker_runtime_t* runtime, const char* path, char** json,
                        mydocker_error_t** errptr) {
  return Guard(errptr, [&]() -> absl::Status {
    MYDOCKER_RETURN_IF_ERROR(RequireRuntime(runtime));
    MYDOCKER_RETURN_IF_ERROR(Require(path, "path"));
    MYDOCKER_ASSIGN_OR_RETURN(std::vector<mydocker::Image> images,
                              runtime->runtime->images().Load(path));
    if (json != nullptr) *json = CopyString(LoadedImages(images));
    return absl::OkStatus();
  });
}

int mydocker_image_history(mydocker_runtime_t* runtime, const char* ref, char** json,
                           mydocker_error_t** errptr) {
  return Guard(errptr, [&]() -> absl::Status {
    MYDOCKER_RETURN_IF_ERROR(RequireRuntime(runtime));
    MYDOCKER_RETURN_IF_ERROR(Require(ref, "image reference"));
    MYDOCKER_RETURN_IF_ERROR(Require(json, "json out-parameter"));
    mydocker::ImageStore& images = runtime->runtime->images();
    MYDOCKER_ASSIGN_OR_RETURN(mydocker::Image image, images.Resolve(ref));
    *json = CopyString(HistoryJson(image, images.History(image)));
    return absl::OkStatus();
  });
}

int mydocker_volume_create(mydocker_runtime_t* runtime, const char* name, char** json,
                           mydocker_error_t** errptr) {
  return Guard(errptr, [&]() -> absl::Status {
    MYDOCKER_RETURN_IF_ERROR(RequireRuntime(runtime));
    std::string chosen = Str(name);
    if (chosen.empty()) chosen = mydocker::NewContainerId();  // as the CLI names one
    MYDOCKER_ASSIGN_OR_RETURN(mydocker::Volume v, runtime->runtime->volumes().Ensure(chosen));
    if (json != nullptr) *json = CopyString(mydocker::views::VolumeInspect(v));
    return absl::OkStatus();
  });
}

int mydocker_volume_list(mydocker_runtime_t* runtime, char** json, mydocker_error_t** errptr) {
  return Guard(errptr, [&]() -> absl::Status {
    MYDOCKER_RETURN_IF_ERROR(RequireRuntime(runtime));
    MYDOCKER_RETURN_IF_ERROR(Require(json, "json out-parameter"));
    MYDOCKER_ASSIGN_OR_RETURN(std::vector<mydocker::Volume> volumes,
                              runtime->runtime->volumes().List());
    std::vector<std::string> views;
    for (const mydocker::Volume& v : volumes) views.push_back(mydocker::views::VolumeInspect(v));
    *json = CopyString(mydocker::views::Array(views));
    return absl::OkStatus();
  });
}

int mydocker_volume_inspect(mydocker_runtime_t* runtime, const char* name, char** json,
                            mydocker_error_t** errptr) {
  return Guard(errptr, [&]() -> absl::Status {
    MYDOCKER_RETURN_IF_ERROR(RequireRuntime(runtime));
    MYDOCKER_RETURN_IF_ERROR(Require(name, "volume name"));
    MYDOCKER_RETURN_IF_ERROR(Require(json, "json out-parameter"));
    MYDOCKER_ASSIGN_OR_RETURN(mydocker::Volume v, runtime->runtime->volumes().Get(name));
    *json = CopyString(mydocker::views::VolumeInspect(v));
    return absl::OkStatus();
  });
}

int mydocker_volume_remove(mydocker_runtime_t* runtime, const char* name, int force,
                           mydocker_error_t** errptr) {
  return Guard(errptr, [&]() -> absl::Status {
    MYDOCKER_RETURN_IF_ERROR(RequireRuntime(runtime));
    MYDOCKER_RETURN_IF_ERROR(Require(name, "volume name"));
    return runtime->runtime->RemoveVolume(name, force != 0);
  });
}

int mydocker_volume_prune(mydocker_runtime_t* runtime, int all, char** json,
                          mydocker_error_t** errptr) {
  return Guard(errptr, [&]() -> absl::Status {
    MYDOCKER_RETURN_IF_ERROR(RequireRuntime(runtime));
    MYDOCKER_ASSIGN_OR_RETURN(std::vector<std::string> removed,
                              runtime->runtime->PruneVolumes(all != 0));
    if (json != nullptr) *json = CopyString(mydocker::views::StringArray(removed));
    return absl::OkStatus();
  });
}

}  // extern "C"
