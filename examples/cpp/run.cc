// Runs a container from C++ with the header-only C++ API (mydocker.hpp, over the C ABI):
// follows its output from the container's log as it is written, then removes it. RAII owns
// every handle; every failure is a mydocker::api::Error with the library's message.
//
//   run_cpp [ROOT [IMAGE_TAR [IMAGE]]]
//
// ROOT is the state root (default: $MYDOCKER_ROOT or /var/lib/mydocker); IMAGE_TAR, if given
// and not "", is imported as "busybox" first; IMAGE (default "busybox") is run. A failure is
// reported with the library's message; the exit status is Docker's for it (125, 126, 127).
// Needs root.
#include <iostream>
#include <mydocker.hpp>
#include <string>

int main(int argc, char** argv) {
  try {
    mydocker::api::Runtime runtime = mydocker::api::Runtime::Open(argc > 1 ? argv[1] : "");
    if (argc > 2 && *argv[2] != '\0') runtime.ImportImage(argv[2], "busybox");

    // Detached: the output goes to the container's log; follow it until the container ends.
    mydocker::api::CreateOptions options;
    options.image = argc > 3 ? argv[3] : "busybox";
    options.command = {"sh", "-c",
                       "for i in 1 2 3; do echo \"line $i\"; sleep 0.1; done; "
                       "echo done >&2"};
    mydocker::api::Container container = runtime.Run(options);
    container.Logs(
        [](int stream, std::string_view text, int64_t) {
          (stream == 2 ? std::cerr : std::cout) << text << std::flush;
          return true;  // go on
        },
        /*follow=*/true);
    int exit_code = container.Wait().value_or(-1);
    std::cout << "container " << container.id().substr(0, 12) << " exited with " << exit_code
              << "\n";
    container.Remove(/*force=*/true);
    return exit_code == 0 ? 0 : 1;
  } catch (const mydocker::api::Error& e) {
    std::cerr << "run_cpp: " << e.what() << " (" << e.code_name() << ")\n";
    return e.exit_code();
  }
}
