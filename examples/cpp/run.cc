// Runs a container from C++ through the C ABI, streams its output from the container's log as
// it is written, removes it. RAII owns every handle; errors become exceptions here, at the
// caller's side of the boundary.
//
//   run_cpp [ROOT [IMAGE_TAR]]
//
// ROOT is the state root (default: $MYDOCKER_ROOT or /var/lib/mydocker); IMAGE_TAR, if given,
// is imported as "busybox" first. Needs root.
#include <mydocker.h>

#include <iostream>
#include <memory>
#include <stdexcept>
#include <string>

namespace {

struct RuntimeCloser {
  void operator()(mydocker_runtime_t* r) const { mydocker_runtime_close(r); }
};
struct ContainerDestroyer {
  void operator()(mydocker_container_t* c) const { mydocker_container_destroy(c); }
};
using Runtime = std::unique_ptr<mydocker_runtime_t, RuntimeCloser>;
using Container = std::unique_ptr<mydocker_container_t, ContainerDestroyer>;

// Throws the error of a failed call, freeing the error object.
void Check(int rc, mydocker_error_t* err, const char* what) {
  if (rc == MYDOCKER_OK) return;
  std::string message = std::string(what) + ": " + mydocker_error_message(err);
  mydocker_error_free(err);
  throw std::runtime_error(message);
}

// Receives each line of the container's output as the monitor logs it.
int PrintLine(void*, int stream, const char* data, size_t len, int64_t) {
  (stream == 2 ? std::cerr : std::cout).write(data, static_cast<std::streamsize>(len)).flush();
  return 0;  // go on
}

}  // namespace

int main(int argc, char** argv) {
  try {
    mydocker_error_t* err = nullptr;
    mydocker_runtime_options_t options{};
    options.size = sizeof options;
    if (argc > 1) options.root = argv[1];
    mydocker_runtime_t* raw_runtime = nullptr;
    Check(mydocker_runtime_open(&options, &raw_runtime, &err), err, "open");
    Runtime runtime(raw_runtime);
    if (argc > 2) {
      Check(mydocker_image_import(runtime.get(), argv[2], "busybox", nullptr, &err), err, "import");
    }

    // Detached: the output goes to the container's log; follow it until the container ends.
    const char* const command[] = {"sh", "-c",
                                   "for i in 1 2 3; do echo \"line $i\"; sleep 0.1; done; "
                                   "echo done >&2",
                                   nullptr};
    mydocker_create_options_t create{};
    create.size = sizeof create;
    create.image = "busybox";
    create.command = command;
    mydocker_container_t* raw_container = nullptr;
    Check(mydocker_container_run(runtime.get(), &create, nullptr, &raw_container, &err), err,
          "run");
    Container container(raw_container);
    Check(mydocker_container_logs(container.get(), /*follow=*/1, /*tail=*/-1, PrintLine, nullptr,
                                  &err),
          err, "logs");
    int exit_code = -1;
    Check(mydocker_container_wait(container.get(), -1, &exit_code, &err), err, "wait");
    std::cout << "container " << std::string(mydocker_container_id(container.get()), 12)
              << " exited with " << exit_code << "\n";
    Check(mydocker_container_remove(container.get(), /*force=*/1, &err), err, "remove");
    return exit_code == 0 ? 0 : 1;
  } catch (const std::exception& e) {
    std::cerr << "run_cpp: " << e.what() << "\n";
    return 1;
  }
}
