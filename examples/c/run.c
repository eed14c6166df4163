/* Runs a container from C, streams its output to this program's stdout, removes it.
 *
 *   run_c [ROOT [IMAGE_TAR [IMAGE]]]
 *
 * ROOT is the state root (default: $MYDOCKER_ROOT or /var/lib/mydocker); IMAGE_TAR, if given
 * and not "", is imported as "busybox" first; IMAGE (default "busybox") is run. A failure is
 * reported with the library's message, and the exit status is Docker's for it (125, or 126/127
 * when the command cannot be run). Needs root. Build: see docs/getting-started.md. */
#include <mydocker.h>
#include <stdio.h>
#include <unistd.h>

/* Reports a failed call and frees its error object (so `err` can be passed again); returns
 * the exit status a CLI gives for it. */
static int fail(const char* what, mydocker_error_t** err) {
  int status = mydocker_error_exit_code(*err);
  fprintf(stderr, "%s: %s (%s)\n", what, mydocker_error_message(*err),
          mydocker_code_name(mydocker_error_code(*err)));
  mydocker_error_free(*err);
  *err = NULL;
  return status;
}

int main(int argc, char** argv) {
  mydocker_runtime_options_t options = MYDOCKER_RUNTIME_OPTIONS_INIT;
  mydocker_create_options_t create = MYDOCKER_CREATE_OPTIONS_INIT;
  mydocker_start_options_t start = MYDOCKER_START_OPTIONS_INIT;
  mydocker_runtime_t* runtime = NULL;
  mydocker_container_t* container = NULL;
  mydocker_error_t* err = NULL;
  const char* const command[] = {
      "sh", "-c", "for i in 1 2 3; do echo \"hello $i from $(hostname)\"; sleep 0.1; done", NULL};
  int exit_code = -1;

  if (argc > 1) options.root = argv[1];
  if (mydocker_runtime_open(&options, &runtime, &err) != MYDOCKER_OK) return fail("open", &err);
  /* The library found its helper binary (the mydocker installed beside it) by itself. */
  printf("state root %s, helper %s\n", mydocker_runtime_root(runtime),
         mydocker_runtime_helper_path(runtime));
  if (argc > 2 && argv[2][0] != '\0' &&
      mydocker_image_import(runtime, argv[2], "busybox", NULL, &err) != MYDOCKER_OK) {
    mydocker_runtime_close(runtime);
    return fail("import", &err);
  }

  /* Attached: the container's output goes straight to our stdout and stderr as it comes. */
  create.image = argc > 3 ? argv[3] : "busybox";
  create.command = command;
  start.attach = 1;
  start.stdout_fd = STDOUT_FILENO;
  start.stderr_fd = STDERR_FILENO;
  fflush(stdout);
  if (mydocker_container_run(runtime, &create, &start, &container, &err) != MYDOCKER_OK) {
    mydocker_runtime_close(runtime);
    return fail("run", &err);
  }
  if (mydocker_container_wait(container, -1, &exit_code, &err) != MYDOCKER_OK) fail("wait", &err);
  printf("container %.12s exited with %d\n", mydocker_container_id(container), exit_code);

  if (mydocker_container_remove(container, 1, &err) != MYDOCKER_OK) fail("remove", &err);
  mydocker_container_destroy(container);
  mydocker_runtime_close(runtime);
  return exit_code == 0 ? 0 : 1;
}
