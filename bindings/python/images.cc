// Image and Images: the images of a runtime's state root.
#include <fcntl.h>
#include <pybind11/stl.h>
#include <pybind11/stl/filesystem.h>
#include <unistd.h>

#include <filesystem>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "bindings.h"
#include "mydocker/image_store.h"
#include "mydocker/status_macros.h"
#include "mydocker/unique_fd.h"
#include "mydocker/views.h"
#include "status.h"

namespace mydocker::python {
namespace py = pybind11;
namespace {

// runtime.images: a view, holding the runtime.
struct Images {
  RuntimePtr runtime;
};

}  // namespace

void RegisterImages(py::module_& m) {
  py::class_<Image>(m, "Image", "An image: read-only layers and the defaults run() uses.")
      .def_readonly("id", &Image::id, "The image id, 'sha256:' and 64 hex digits.")
      .def_readonly("tags", &Image::tags, "Its references, e.g. ['busybox:latest'].")
      .def_property_readonly(
          "created", [](const Image& i) { return ToDatetime(i.created); },
          "When it was imported, as an aware datetime in UTC.")
      .def_readonly("size", &Image::size, "Bytes of unpacked content.")
      .def_readonly("layers", &Image::layers, "Layer diff ids, bottom layer first.")
      .def("__repr__", [](const Image& i) {
        return absl::StrCat("<Image ", i.id.substr(0, 19), " tags=[", absl::StrJoin(i.tags, ", "),
                            "]>");
      });

  py::class_<Images>(m, "Images", "The images of a runtime (Runtime.images).")
      .def(
          "list",
          [](Images& self) { return WithoutGil([&] { return self.runtime->images().List(); }); },
          "Returns every image.")
      .def(
          "get",
          [](Images& self, const std::string& ref) {
            return WithoutGil([&] { return self.runtime->images().Resolve(ref); });
          },
          py::arg("ref"),
          "Returns the image named ref: 'name[:tag]', a full id or a unique id prefix. Raises "
          "NotFound.")
      .def(
          "inspect",
          [](Images& self, const std::string& ref) {
            std::string view = WithoutGil([&]() -> absl::StatusOr<std::string> {
              MYDOCKER_ASSIGN_OR_RETURN(Image image, self.runtime->images().Resolve(ref));
              MYDOCKER_ASSIGN_OR_RETURN(std::string config,
                                        self.runtime->images().ConfigJson(image));
              return views::ImageInspect(image, config);
            });
            return JsonToPython(view);
          },
          py::arg("ref"),
          "The image named ref as `docker image inspect` shows it, as a dict: Id, RepoTags, "
          "Created, Author, Architecture, Os, Size, Config (as stored: Env, Cmd, ExposedPorts, "
          "Labels, ...) and RootFS. Raises NotFound.")
      .def(
          "import_tar",
          [](Images& self, const std::filesystem::path& path, const std::string& ref) {
            return WithoutGil([&] { return self.runtime->images().Import(path.string(), ref); });
          },
          py::arg("path"), py::arg("ref"),
          "Imports a root file system tarball (plain, gzip, xz, ...) as a one-layer image tagged "
          "ref ('name[:tag]') and returns it. Raises InvalidArgument for a bad reference or an "
          "entry escaping the layer, NotFound for a missing file.")
      .def(
          "remove",
          [](Images& self, const std::string& ref, bool force) {
            WithoutGil([&] { return self.runtime->RemoveImage(ref, force); });
          },
          py::arg("ref"), py::kw_only(), py::arg("force") = false,
          "Removes the tag ref (or, given an id, every tag); the layers go with the last tag. "
          "Raises NotFound, or Conflict while a container uses the image unless force.")
      .def(
          "prune",
          [](Images& self, const py::object& filters, bool all) {
            return PruneWith(self.runtime, views::kPruneImages, filters, all);
          },
          py::arg("filters") = py::none(), py::kw_only(), py::arg("all") = false,
          "`image prune [-a]`: removes every untagged image no container uses (all=True, or "
          "docker-py's filters={'dangling': False}: every image no container uses). filters "
          "also take until and label / label! as Containers.prune's. Returns {'ImagesDeleted': "
          "[{'Untagged': ref} or {'Deleted': id}], 'SpaceReclaimed': bytes}.")
      .def(
          "tag",
          [](Images& self, const std::string& source, const std::string& target) {
            WithoutGil([&] { return self.runtime->images().Tag(source, target); });
          },
          py::arg("source"), py::arg("target"),
          "`tag SOURCE TARGET`: the image source (a reference, id or unique id prefix) is also "
          "tagged target ('name[:tag]'), which leaves any image it named before. Raises "
          "NotFound, InvalidArgument for a bad reference.")
      .def(
          "save",
          [](Images& self, const py::object& refs, const std::filesystem::path& path) {
            std::vector<std::string> names;
            if (py::isinstance<py::str>(refs)) {
              names.push_back(refs.cast<std::string>());
            } else {
              names = refs.cast<std::vector<std::string>>();
            }
            WithoutGil([&]() -> absl::Status {
              UniqueFd out(::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
              if (!out) return LastErrnoError(absl::StrCat("open ", path.string()));
              absl::Status saved = self.runtime->images().Save(names, out.get());
              if (!saved.ok()) ::unlink(path.c_str());  // no half archive left behind
              return saved;
            });
          },
          py::arg("refs"), py::arg("path"),
          "`save -o PATH`: the images refs names (one reference or id, or a list) as one tar "
          "at path, in Docker's form and as an OCI image layout, which load() and `docker "
          "load` read. Raises NotFound (nothing is written then).")
      .def(
          "load",
          [](Images& self, const std::filesystem::path& path) {
            return WithoutGil([&] { return self.runtime->images().Load(path.string()); });
          },
          py::arg("path"),
          "`load -i PATH`: the images of a `docker save` archive or an OCI image layout (a "
          "directory, or a tar of one; plain or compressed), every digest verified before "
          "anything is stored; returns the loaded Images with their tags. Raises "
          "InvalidArgument for a damaged archive, NotFound for a missing file (nothing is "
          "stored then).")
      .def(
          "history",
          [](Images& self, const std::string& ref) {
            auto [image, history] =
                WithoutGil([&]() -> absl::StatusOr<std::pair<Image, std::vector<HistoryEntry>>> {
                  MYDOCKER_ASSIGN_OR_RETURN(Image found, self.runtime->images().Resolve(ref));
                  std::vector<HistoryEntry> steps = self.runtime->images().History(found);
                  return std::make_pair(std::move(found), std::move(steps));
                });
            py::list out;
            for (size_t i = 0; i < history.size(); ++i) {
              const HistoryEntry& h = history[i];
              py::dict step;
              step["Id"] = i == 0 ? image.id : "<missing>";
              step["Created"] = absl::ToUnixSeconds(h.created);
              step["CreatedBy"] = h.created_by;
              step["Tags"] = i == 0 ? image.tags : std::vector<std::string>();
              step["Size"] = h.size;
              step["Comment"] = h.comment;
              out.append(step);
            }
            return out;
          },
          py::arg("ref"),
          "`history`: the image's steps, newest first, as docker-py's Image.history() gives "
          "them: dicts with Id (the image's on the newest step, else '<missing>'), Created "
          "(Unix seconds), CreatedBy, Tags, Size (bytes of the step's layer) and Comment. "
          "Raises NotFound.")
      .def(
          "pull",
          [](Images& self, const std::string& ref, std::optional<std::string> platform,
             py::object progress) { return PullImage(*self.runtime, ref, platform, progress); },
          py::arg("ref"), py::kw_only(), py::arg("platform") = py::none(),
          py::arg("progress") = py::none(),
          "Pulls ref ('name[:tag]' or 'name@sha256:...') from its registry, as `mydocker pull` "
          "does, with the credentials login() stored, and returns the Image. platform: "
          "'os/arch[/variant]' from a multi-platform image (default this machine's). progress: "
          "called on this thread with a dict per event, as Docker's pull stream ('status', "
          "'id', 'progressDetail': {'current', 'total'}), a layer's byte counts at most every "
          "100 ms (its last always); an exception it raises cancels the "
          "pull (nothing is stored) and is raised here. The GIL is released while "
          "transferring. Raises MyDockerError (code 'UNAUTHENTICATED' when the registry refuses, "
          "'CANCELLED'), NotFound, InvalidArgument, ...")
      .def(
          "push",
          [](Images& self, const std::string& ref, py::object progress) {
            return PushImage(*self.runtime, ref, progress);
          },
          py::arg("ref"), py::kw_only(), py::arg("progress") = py::none(),
          "Pushes the image tagged ref ('name[:tag]') to its registry, as `mydocker push` does, "
          "and returns the manifest's digest. progress: as pull()'s ('Preparing', 'Pushing', "
          "'Pushed', 'Layer already exists', 'Mounted from REPO'); an exception it raises "
          "cancels the push and is raised here.")
      .def("__repr__", [](const Images& self) {
        return absl::StrCat("<Images root=", self.runtime->options().root, ">");
      });
}

py::object MakeImages(const RuntimePtr& runtime) { return py::cast(Images{runtime}); }

}  // namespace mydocker::python
