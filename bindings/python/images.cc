// Image and Images: the images of a runtime's state root.
#include <pybind11/stl.h>
#include <pybind11/stl/filesystem.h>

#include <filesystem>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "bindings.h"
#include "mydocker/status_macros.h"
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
