// `exec -it` detached with the detach keys (Ctrl-P Ctrl-Q): the command goes on, and so must its
// terminal. Its master was held only by the client, which returns; a master closed by everyone
// would hang the command up (SIGHUP). So the client hands it to this small process, the helper
// binary in mode kTerminalHolderMode, which keeps it open and reads and discards what the
// command writes (as Docker discards an exec's output once nobody is attached) until the last
// process holding the terminal ends (EIO), then exits. It double-forks as the monitor does, so
// a long-lived caller never collects it as a zombie.
#ifndef MYDOCKER_PROCESS_TERMINAL_HOLDER_H_
#define MYDOCKER_PROCESS_TERMINAL_HOLDER_H_

namespace mydocker::process {

// The descriptor the terminal's master is given on.
inline constexpr int kHeldTerminalFd = 3;

// The holder's main: returns the exit status of the intermediate process (0), after the holder
// itself was forked off.
int TerminalHolderMain();

}  // namespace mydocker::process

#endif  // MYDOCKER_PROCESS_TERMINAL_HOLDER_H_
