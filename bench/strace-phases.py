#!/usr/bin/python3
"""Phases of `mydocker run --rm` from `strace -f -tt -T -o FILE` traces, in milliseconds.

Usage: bench/strace-phases.py STATE_ROOT TRACE... (prints a markdown table: median, min, max
over the traces). Used for docs/performance.md; strace inflates syscall-heavy phases."""
import re, sys, statistics

def ts(t):
    h, m, s = t.split(":")
    return (int(h) * 3600 + int(m) * 60 + float(s)) * 1000.0

def analyse(path, root):
    lines, pending = [], {}
    for line in open(path):
        m = re.match(r"(\d+)\s+(\d\d:\d\d:\d\d\.\d+) (.*)", line.rstrip("\n"))
        if not m:
            continue
        pid, t, text = int(m.group(1)), ts(m.group(2)), m.group(3)
        if text.endswith("<unfinished ...>"):
            pending[pid] = len(lines)
            lines.append((pid, t, text[: -len("<unfinished ...>")].rstrip()))
            continue
        r = re.match(r"<\.\.\. \w+ resumed>(.*)", text)
        if r and pid in pending:
            i = pending.pop(pid)
            lines[i] = (pid, lines[i][1], lines[i][2] + r.group(1))
            continue
        lines.append((pid, t, text))
    client = lines[0][0]
    t0 = lines[0][1]
    first = lambda pred: next((t for p, t, s in lines if pred(p, s)), None)
    mon = next(p for p, t, s in lines if s.startswith('execve(') and "__monitor" in s)
    daemon = next(int(re.search(r"= (\d+)", s).group(1)) for p, t, s in lines
                  if p == mon and s.startswith("clone(") and "= " in s)
    # init: a clone (v1) or clone3 (v2, CLONE_INTO_CGROUP) with a new PID namespace
    init = next(int(re.search(r"= (\d+)", s).group(1)) for p, t, s in lines
                if s.startswith(("clone(", "clone3(")) and "CLONE_NEWPID" in s
                and re.search(r"= \d+", s))
    T = {}
    T["client_root"] = first(lambda p, s: p == client and root in s and not s.startswith("execve("))
    T["spawn"] = first(lambda p, s: p == client and s.startswith("clone3("))
    T["mon_exec"] = first(lambda p, s: p == mon and s.startswith("execve("))
    T["mon_fork"] = first(lambda p, s: p == mon and s.startswith("clone("))
    T["daemon_root"] = first(lambda p, s: p == daemon and root in s)
    T["cg0"] = first(lambda p, s: p == daemon and s.startswith('mkdir("/sys/fs/cgroup'))
    T["clone"] = first(lambda p, s: p == daemon and s.startswith(("clone(", "clone3(")) and
                       "CLONE_NEWPID" in s)
    T["init_first"] = first(lambda p, s: p == init)
    # init joins its cgroups itself ("0" to each hierarchy's tasks file), then creates its
    # network namespace; "joined" is its first system call after that.
    T["join0"] = first(lambda p, s: p == init and s.startswith("openat(") and "/sys/fs/cgroup/" in s)
    if T["join0"] is None:  # created in its cgroup (v2): nothing to join
        T["join0"] = T["init_first"]
    T["joined"] = first(lambda p, s: p == init and s.startswith(("unshare(", "mount(")))
    T["exec"] = first(lambda p, s: p == init and s.startswith('execve("/bin/true"'))
    T["init_exit"] = first(lambda p, s: p == init and s.startswith("exit_group"))
    T["reap"] = first(lambda p, s: p == daemon and s.startswith("wait4(") and ("= %d" % init) in s)
    T["cg_rm0"] = first(lambda p, s: p == daemon and s.startswith('rmdir("/sys/fs/cgroup'))
    T["notify"] = [t for p, t, s in lines if p == daemon and s.startswith("sendto(3,")][-1]
    T["client_exit"] = first(lambda p, s: p == client and s.startswith("exit_group"))
    T["daemon_exit"] = first(lambda p, s: p == daemon and s.startswith("exit_group"))
    # A wait4 may be an "unfinished" line: take the resumed one that names the init pid.
    if T["reap"] is None:
        T["reap"] = first(lambda p, s: p == daemon and "wait4 resumed" in s and ("= %d" % init) in s)
    dur = lambda pid, name: sum(float(re.search(r"<(\d+\.\d+)>$", s).group(1)) * 1000
                                for p, t, s in lines
                                if (pid is None or p == pid) and (s.startswith(name + "(") or
                                    ("<... %s resumed>" % name) in s) and re.search(r"<\d+\.\d+>$", s))
    ph = {}
    ph["client: exec + dynamic linking + init"] = T["client_root"] - t0
    ph["client: state record (config+state, fsync x%d)" % sum(1 for p, t, s in lines if p == client and s.startswith("fsync("))] = T["spawn"] - T["client_root"]
    ph["monitor: exec of the helper + start-up"] = T["mon_fork"] - T["spawn"]
    ph["monitor: double fork until first work"] = T["daemon_root"] - T["mon_fork"]
    ph["monitor: read state/config, mountinfo"] = T["cg0"] - T["daemon_root"]
    ph["monitor: cgroups in 8 v1 hierarchies (+devices list)"] = T["clone"] - T["cg0"]
    ph["monitor: clone(NEWNS|UTS|IPC|PID) until init's first join"] = T["join0"] - T["clone"]
    ph["init: joins its cgroups (tasks writes)"] = T["joined"] - T["join0"]
    ph["init: network namespace, overlay, pivot_root, /proc /dev /sys, masks, exec"] = T["exec"] - T["joined"]
    ph["init: execve /bin/true until exit"] = T["init_exit"] - T["exec"]
    ph["monitor: state running/exited (fsync) until reap"] = T["reap"] - T["init_exit"]
    ph["monitor: cleanup until the client is told (cgroup rmdir, detach)"] = T["notify"] - T["reap"]
    ph["client: exit after notification"] = T["client_exit"] - T["notify"]
    ph["TOTAL (client exec to client exit)"] = T["client_exit"] - t0
    ph["(after the client is told: monitor deletes the files, exits)"] = T["daemon_exit"] - T["notify"]
    ph["  of which fsync (all processes)"] = dur(None, "fsync")
    ph["  count: fsync calls (all processes)"] = sum(1 for p, t, s in lines if s.startswith("fsync("))
    ph["  count: unlink/rmdir/rename on the state root before the client is told"] = sum(
        1 for p, t, s in lines if t <= T["notify"] and root in s and
        s.startswith(("unlink(", "unlinkat(", "rmdir(", "rename(", "renameat")))
    ph["  of which rmdir/unlink/unlinkat in cleanup"] = dur(daemon, "rmdir") + dur(daemon, "unlink") + dur(daemon, "unlinkat")
    ph["  of which cgroup rmdir"] = sum(float(re.search(r"<(\d+\.\d+)>$", s).group(1)) * 1000 for p, t, s in lines
                                        if s.startswith('rmdir("/sys/fs/cgroup') and re.search(r"<\d+\.\d+>$", s))
    return ph

root = sys.argv[1]
runs = [analyse(f, root) for f in sys.argv[2:]]
print("| phase | median (ms) | min | max |")
print("|---|---:|---:|---:|")
for k in runs[0]:
    v = [r[k] for r in runs if k in r]
    print("| %s | %.1f | %.1f | %.1f |" % (k, statistics.median(v), min(v), max(v)))
