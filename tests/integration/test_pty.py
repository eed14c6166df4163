"""`run -it` driven through a real pseudo-terminal, as a user at a terminal would."""

import fcntl
import os
import select
import signal
import struct
import subprocess
import termios
import time

import pytest

from conftest import wait_for


def set_winsize(fd, rows, cols):
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))


def resize_and_wait(term, rows, cols):
    """Resizes the host terminal, tells the client (SIGWINCH), and waits until `stty size` in
    the container's shell shows the new size."""
    set_winsize(term.master, rows, cols)
    term.proc.send_signal(signal.SIGWINCH)
    want = f"{rows} {cols}\r\n".encode()

    def resized():
        term.send("stty size\n")
        deadline = time.monotonic() + 0.5
        while time.monotonic() < deadline:
            term.read_available(0.05)
            if want in term.buffer:
                return True
        return False

    wait_for(resized, timeout=10, interval=0, what="new window size inside the container")


class Terminal:
    """A pty pair; `mydocker run` gets the slave as its stdio and controlling terminal."""

    def __init__(self, rows=24, cols=80):
        self.master, self.slave = os.openpty()
        set_winsize(self.slave, rows, cols)
        self.buffer = b""
        self.proc = None

    def start(self, runtime, *args):
        def make_controlling_tty():
            fcntl.ioctl(0, termios.TIOCSCTTY, 0)

        self.proc = runtime.popen(*args, stdin=self.slave, stdout=self.slave, stderr=self.slave,
                                  start_new_session=True, preexec_fn=make_controlling_tty,
                                  text=False)
        return self.proc

    def send(self, text):
        os.write(self.master, text.encode())

    def read_available(self, wait):
        ready, _, _ = select.select([self.master], [], [], wait)
        if ready:
            try:
                chunk = os.read(self.master, 65536)
            except OSError:
                return False
            self.buffer += chunk
            return bool(chunk)
        return False

    def expect(self, pattern, timeout=10):
        """Reads until pattern (bytes or str) appears; consumes through it; returns what preceded."""
        if isinstance(pattern, str):
            pattern = pattern.encode()
        deadline = time.monotonic() + timeout
        while pattern not in self.buffer:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                pytest.fail(f"timed out waiting for {pattern!r}; terminal shows {self.buffer[-500:]!r}")
            self.read_available(min(remaining, 0.1))
        before, _, self.buffer = self.buffer.partition(pattern)
        return before

    def wait_exit(self, timeout=15):
        deadline = time.monotonic() + timeout
        while self.proc.poll() is None:
            if time.monotonic() > deadline:
                pytest.fail(f"mydocker run did not exit; terminal shows {self.buffer[-500:]!r}")
            self.read_available(0.05)
        while self.read_available(0.05):
            pass
        return self.proc.returncode

    def close(self):
        for fd in (self.master, self.slave):
            try:
                os.close(fd)
            except OSError:
                pass


@pytest.fixture
def terminal():
    terms = []

    def make(**kwargs):
        t = Terminal(**kwargs)
        terms.append(t)
        return t

    yield make
    for t in terms:
        t.close()


def test_interactive_shell_session(runtime, terminal):
    term = terminal()
    before = termios.tcgetattr(term.slave)
    assert before[3] & termios.ECHO and before[3] & termios.ICANON
    term.start(runtime, "run", "-it", "--name", "pty", "busybox", "sh")
    runtime.wait_running("pty")
    term.send("tty\n")
    term.expect("/dev/pts/0")
    # While attached, the host terminal is raw: no echo, no line editing, no signal keys.
    during = termios.tcgetattr(term.slave)
    assert not during[3] & (termios.ECHO | termios.ICANON | termios.ISIG), during
    term.send("echo $((6*7))\n")
    term.expect("42\r\n")
    term.send("[ -t 0 ] && [ -t 1 ] && [ -t 2 ] && echo all-ttys\n")
    term.expect("all-ttys\r\n")
    term.send("exit 5\n")
    assert term.wait_exit() == 5
    after = termios.tcgetattr(term.slave)
    assert after == before, "host terminal settings not restored"
    assert runtime.inspect("pty")["ExitCode"] == 5


def test_ctrl_c_reaches_the_container_foreground_process(runtime, terminal):
    term = terminal()
    term.start(runtime, "run", "-it", "--rm", "busybox", "sh")
    term.send("echo st''arted\n")
    term.expect("started")
    term.send("sleep 100\n")
    term.expect("sleep 100\r\n")
    time.sleep(0.2)
    # ^C: the container's terminal sends SIGINT to sleep; the shell and the runtime survive.
    term.send("\x03")
    term.send("echo al''ive\n")
    term.expect("alive", timeout=5)
    assert term.proc.poll() is None
    term.send("exit 0\n")
    assert term.wait_exit() == 0


def test_window_size_forwarded(runtime, terminal):
    term = terminal(rows=33, cols=111)
    term.start(runtime, "run", "-it", "--rm", "busybox", "sh")
    term.send("stty size\n")
    term.expect("33 111\r\n")
    resize_and_wait(term, 40, 120)
    term.send("exit 0\n")
    assert term.wait_exit() == 0


def test_terminal_restored_when_container_killed(runtime, terminal):
    term = terminal()
    before = termios.tcgetattr(term.slave)
    term.start(runtime, "run", "-it", "--name", "victim", "busybox", "sh")
    pid = runtime.wait_running("victim")["Pid"]
    term.send("echo re''ady\n")
    term.expect("ready")
    assert termios.tcgetattr(term.slave) != before
    os.kill(pid, signal.SIGKILL)
    assert term.wait_exit() == 137
    assert termios.tcgetattr(term.slave) == before


def test_tty_without_interactive(runtime, terminal):
    term = terminal()
    before = termios.tcgetattr(term.slave)
    term.start(runtime, "run", "-t", "--rm", "busybox", "sh", "-c", "tty; exit 4")
    term.expect("/dev/pts/0")
    assert term.wait_exit() == 4
    assert termios.tcgetattr(term.slave) == before
