// --init: the container's PID 1 when asked for one (Docker's docker-init, tini), in the helper
// binary (mode kInitMode, run from a sealed copy: see sealed_exe.h). It runs the command as its
// child, in the child's own process group (the terminal's foreground group when there is one),
// forwards every signal it receives to the child, reaps every process that ends up as its
// child (orphans of the container), and exits with the child's status (128+N when signal N
// killed it).
#ifndef MYDOCKER_PROCESS_TINY_INIT_H_
#define MYDOCKER_PROCESS_TINY_INIT_H_

namespace mydocker::process {

// argv: [name, kInitMode, "--", command...]. Returns the exit status.
int TinyInitMain(int argc, char** argv);

}  // namespace mydocker::process

#endif  // MYDOCKER_PROCESS_TINY_INIT_H_
