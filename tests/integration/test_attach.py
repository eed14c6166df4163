"""start -ai, start -i, run -di/-dit, create, attach, detach keys and several clients at once,
driven through real pseudo-terminals (test_pty.Terminal) as a user at a terminal would."""

import subprocess
import termios
import time

from test_pty import resize_and_wait, terminal  # noqa: F401 (terminal is a fixture)

CTRL_P_Q = "\x10\x11"


def running(runtime, name):
    e = runtime.inspect(name)
    return e is not None and e.get("State") == "running"


def test_start_ai_behaves_like_run_it(runtime, terminal):
    runtime.md("create", "-it", "--name", "box", "busybox", "sh", check=True)
    assert runtime.inspect("box")["State"] == "created"
    term = terminal(rows=33, cols=111)
    before = termios.tcgetattr(term.slave)
    term.start(runtime, "start", "-ai", "box")
    term.send("stty size\n")
    term.expect("33 111\r\n")
    # Raw local terminal: no echo by the host (the line shows once), no signal keys.
    during = termios.tcgetattr(term.slave)
    assert not during[3] & (termios.ECHO | termios.ICANON | termios.ISIG), during
    term.expect("# ")  # the prompt: typed ahead, the shell would echo the line again
    term.send("echo one-''line\n")
    shown = term.expect("one-line\r\n")
    assert shown.count(b"echo one-") == 1, shown
    resize_and_wait(term, 40, 120)
    # ^C reaches the container's foreground process, not the client.
    term.send("sleep 100\n")
    term.expect("sleep 100\r\n")
    time.sleep(0.2)
    term.send("\x03")
    term.send("echo al''ive\n")
    term.expect("alive", timeout=5)
    term.send("exit 3\n")
    assert term.wait_exit() == 3
    assert termios.tcgetattr(term.slave) == before
    assert runtime.inspect("box")["State"] == "exited"


def test_start_i_attaches_input_and_output(runtime):
    runtime.md("create", "-i", "--name", "cat", "busybox", "sh", "-c", "cat; echo end >&2; exit 6",
               check=True)
    proc = runtime.md("start", "-i", "cat", input="hello\n")
    assert proc.returncode == 6, proc.stderr
    assert proc.stdout == "hello\n"
    assert proc.stderr == "end\n"


def test_run_di_keeps_stdin_open_for_attach(runtime):
    cid = runtime.md("run", "-di", "--name", "bg", "busybox", "sh", check=True).stdout.strip()
    runtime.track(cid)
    time.sleep(0.5)
    assert running(runtime, "bg"), "run -di: the shell must wait on its open stdin"
    assert runtime.md("inspect", "bg", check=True).stdout.count('"OpenStdin": true') == 1
    proc = runtime.md("attach", "bg", input="echo hi from attach\nexit 7\n")
    assert proc.returncode == 7, proc.stderr
    assert proc.stdout == "hi from attach\n"


def test_attach_no_stdin_only_watches(runtime):
    runtime.md("run", "-di", "--name", "bg", "busybox", "sh", check=True)
    watcher = runtime.popen("attach", "--no-stdin", "bg", stdin=subprocess.DEVNULL)
    time.sleep(0.3)
    proc = runtime.md("attach", "bg", input="echo seen-by-both\nexit 2\n")
    assert proc.returncode == 2
    out, _ = watcher.communicate(timeout=10)
    assert watcher.returncode == 2
    assert out == "seen-by-both\n"


def test_run_dit_detach_and_reattach(runtime, terminal):
    runtime.md("run", "-dit", "--name", "tty", "busybox", "sh", check=True)
    runtime.wait_running("tty")
    first = terminal()
    before = termios.tcgetattr(first.slave)
    first.start(runtime, "attach", "tty")
    first.send("echo $((6*7))\n")
    first.expect("42\r\n")
    first.send(CTRL_P_Q)
    assert first.wait_exit() == 0
    assert termios.tcgetattr(first.slave) == before
    assert running(runtime, "tty")
    second = terminal(rows=20, cols=70)
    second.start(runtime, "attach", "tty")
    second.send("stty size; exit 4\n")
    second.expect("20 70\r\n")
    assert second.wait_exit() == 4
    assert runtime.inspect("tty")["State"] == "exited"


def test_run_it_detach_keys_leave_it_running(runtime, terminal):
    term = terminal()
    term.start(runtime, "run", "-it", "--name", "it", "busybox", "sh")
    term.send("echo re''ady\n")
    term.expect("ready")
    term.send(CTRL_P_Q)
    assert term.wait_exit() == 0
    assert running(runtime, "it")
    again = terminal()
    again.start(runtime, "attach", "--detach-keys", "ctrl-x,y", "it")
    again.send("echo st''ill-here\n")
    again.expect("still-here")
    # The default keys pass through when others are chosen; the chosen ones detach.
    again.send(CTRL_P_Q + "\x18y")
    assert again.wait_exit() == 0
    assert running(runtime, "it")
    assert runtime.md("stop", "-t", "1", "it").returncode == 0


def test_start_ai_detach_keys_flag(runtime, terminal):
    runtime.md("create", "-it", "--name", "c", "busybox", "sh", check=True)
    term = terminal()
    term.start(runtime, "start", "-ai", "--detach-keys", "ctrl-a", "c")
    term.send("echo up''\n")
    term.expect("up")
    term.send("\x01")
    assert term.wait_exit() == 0
    assert running(runtime, "c")
    bad = runtime.md("start", "-ai", "--detach-keys", "ctrl-1", "c")
    assert bad.returncode != 0
    assert "Invalid detach keys (ctrl-1) provided" in bad.stderr


def test_two_clients_share_output_and_input(runtime, terminal):
    runtime.md("run", "-dit", "--name", "shared", "busybox", "sh", check=True)
    runtime.wait_running("shared")
    a, b = terminal(), terminal()
    a.start(runtime, "attach", "shared")
    b.start(runtime, "attach", "shared")
    a.send("echo from-''a\n")
    a.expect("from-a")
    b.expect("from-a")
    b.send("echo from-''b\n")
    a.expect("from-b")
    b.expect("from-b")
    a.send(CTRL_P_Q)
    assert a.wait_exit() == 0
    b.send("exit 9\n")
    assert b.wait_exit() == 9


def test_slow_client_never_blocks_the_monitor(runtime):
    runtime.md("run", "-d", "--name", "loud", "busybox", "sh", "-c",
               "sleep 1; head -c 30000000 /dev/zero; echo END; exit 3", check=True)
    # Its output is never read: the monitor must neither wait for it nor stall the container.
    slow = runtime.popen("attach", "loud", stdin=subprocess.DEVNULL, text=False)
    fast = runtime.md("attach", "--no-stdin", "loud", timeout=60)
    assert fast.returncode == 3
    assert fast.stdout.endswith("END\n")
    assert runtime.md("wait", "loud", timeout=30).stdout.strip() == "3"
    slow.kill()
    slow.wait(timeout=10)


def test_attach_refusals(runtime):
    runtime.md("create", "--name", "idle", "busybox", "true", check=True)
    proc = runtime.md("attach", "idle")
    assert proc.returncode == 1
    assert "You cannot attach to a stopped container, start it first" in proc.stderr
    proc = runtime.md("attach", "nosuch")
    assert proc.returncode == 1


def test_create_takes_run_options_and_start_runs_it(runtime):
    cid = runtime.md("create", "--name", "made", "-e", "GREETING=hi", "-w", "/tmp", "busybox",
                     "sh", "-c", "echo $GREETING from $(pwd)", check=True).stdout.strip()
    assert len(cid) == 64
    assert runtime.inspect("made")["State"] == "created"
    proc = runtime.md("start", "-a", "made")
    assert proc.returncode == 0
    assert proc.stdout == "hi from /tmp\n"
    bad = runtime.md("create", "-d", "busybox")
    assert bad.returncode == 125
    assert bad.stderr.startswith("unknown shorthand flag: 'd' in -d")
    bad = runtime.md("create", "--memory", "lots", "--name", "never", "busybox")
    assert bad.returncode == 125
    assert runtime.inspect("never") is None


def test_group_without_command_and_help(runtime):
    for args in (["network"], ["volume"], ["image"]):
        proc = runtime.md(*args)
        assert proc.returncode == 0, proc.stderr
        assert proc.stdout.startswith(f"Usage:  mydocker {args[0]} COMMAND"), proc.stdout
    proc = runtime.md("help")
    assert proc.returncode == 0
    assert proc.stdout.startswith("Usage:  mydocker [OPTIONS] COMMAND")
    assert " attach " in proc.stdout and " create " in proc.stdout
    proc = runtime.md("help", "run")
    assert proc.returncode == 0
    assert proc.stdout.startswith("Usage:  mydocker run [OPTIONS] IMAGE [COMMAND] [ARG...]")


def test_exec_it_detach_keys_leave_the_command_running(runtime, terminal):
    runtime.md("run", "-d", "--name", "ex", "busybox", "sleep", "600", check=True)
    runtime.wait_running("ex")
    term = terminal()
    before = termios.tcgetattr(term.slave)
    term.start(runtime, "exec", "-it", "ex", "sh")
    term.send("echo $$ > /tmp/sh.pid; echo in-''exec\n")
    term.expect("in-exec\r\n")
    term.send(CTRL_P_Q)
    assert term.wait_exit() == 0
    assert termios.tcgetattr(term.slave) == before
    # The shell goes on: its terminal was not hung up when the client left.
    time.sleep(0.5)
    alive = runtime.md("exec", "ex", "sh", "-c", "kill -0 $(cat /tmp/sh.pid) && echo alive")
    assert alive.stdout == "alive\n", alive.stderr
    assert running(runtime, "ex")
    # Chosen keys: the default ones pass through to the command, the chosen ones detach.
    again = terminal()
    again.start(runtime, "exec", "-it", "--detach-keys", "ctrl-x,y", "ex", "sh")
    again.send("echo st''ill-here\n")
    again.expect("still-here")
    again.send(CTRL_P_Q + "\x18y")
    assert again.wait_exit() == 0
    # Without detaching, exec -it ends with the command's code.
    third = terminal()
    third.start(runtime, "exec", "-it", "ex", "sh")
    third.send("exit 5\n")
    assert third.wait_exit() == 5
    bad = runtime.md("exec", "--detach-keys", "ctrl-1", "ex", "true")
    assert bad.returncode == 125
    assert "Invalid detach keys (ctrl-1) provided" in bad.stderr
    assert runtime.md("stop", "-t", "1", "ex").returncode == 0
