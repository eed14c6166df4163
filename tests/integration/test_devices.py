"""The device policy (Docker's default allow list, --device, --device-cgroup-rule) on this host's
cgroup driver. The same policy on a cgroup v2 kernel (the eBPF program) is tested by
tests/library/cgroup_v2_runtime_test.cc and by the VM lane (tests/vm/)."""

import os
import stat

import pytest

from conftest import assert_refused_before_anything_is_created

# Makes a node for loop0 (Docker's capability set has CAP_MKNOD) and tries to read it.
PROBE_DISK = ("mknod /tmp/disk b 7 0 && echo made; head -c 1 /tmp/disk >/dev/null 2>/tmp/err;"
              " cat /tmp/err")

needs_loop0 = pytest.mark.skipif(not os.path.exists("/dev/loop0"), reason="no /dev/loop0 here")


def test_default_policy_lets_nodes_be_made_but_not_opened(runtime):
    r = runtime.md("run", "--rm", "busybox", "sh", "-c", PROBE_DISK)
    assert r.returncode == 0, r.stderr
    assert r.stdout == "made\nhead: /tmp/disk: Operation not permitted\n"


def test_default_devices_work(runtime):
    r = runtime.md("run", "--rm", "busybox", "sh", "-c",
                   "echo x > /dev/null && head -c 4 /dev/zero | wc -c && head -c 4 /dev/urandom"
                   " | wc -c && head -c 2 /dev/full | wc -c && (echo x > /dev/full) 2>&1 | "
                   "grep -c 'No space'")
    assert r.returncode == 0, r.stderr
    assert r.stdout.split() == ["4", "4", "2", "1"]


def test_device_cgroup_rule_opens_what_it_names(runtime):
    r = runtime.md("run", "--rm", "--device-cgroup-rule", "b 7:0 r", "busybox", "sh", "-c",
                   PROBE_DISK + "; echo x 2>&1 >/tmp/disk; true")
    assert r.returncode == 0, r.stderr
    # Read granted; write still refused (the rule says r only).
    assert r.stdout == "made\nsh: can't create /tmp/disk: Operation not permitted\n"


@needs_loop0
def test_device_is_made_in_the_container_with_its_permissions(runtime):
    r = runtime.md("run", "--rm", "--device", "/dev/loop0:/dev/xvdc:r", "busybox", "sh", "-c",
                   "stat -c '%t:%T %F' /dev/xvdc; head -c 1 /dev/xvdc >/dev/null && echo read;"
                   " echo x 2>&1 >/dev/xvdc; true")
    assert r.returncode == 0, r.stderr
    assert r.stdout == ("7:0 block special file\nread\n"
                        "sh: can't create /dev/xvdc: Operation not permitted\n")
    # HOST alone: the same path in the container, every permission.
    r = runtime.md("run", "--rm", "--device", "/dev/loop0", "busybox", "sh", "-c",
                   "stat -c %F /dev/loop0; head -c 1 /dev/loop0 >/dev/null && echo read")
    assert r.returncode == 0, r.stderr
    assert r.stdout == "block special file\nread\n"


def test_device_directory_grants_every_node_below_it(runtime, tmp_path):
    tree = tmp_path / "snd"
    (tree / "sub").mkdir(parents=True)
    os.mknod(tree / "zero", 0o660 | stat.S_IFCHR, os.makedev(1, 5))
    os.chmod(tree / "zero", 0o660)  # past the umask
    os.mknod(tree / "sub" / "null", 0o600 | stat.S_IFCHR, os.makedev(1, 3))
    os.chown(tree / "sub" / "null", 0, 5)
    r = runtime.md("run", "--rm", "--device", f"{tree}:/dev/snd", "busybox", "sh", "-c",
                   "stat -c '%n %a %g %t:%T' /dev/snd/zero /dev/snd/sub/null;"
                   " head -c 2 /dev/snd/zero | wc -c; echo x > /dev/snd/sub/null && echo ok")
    assert r.returncode == 0, r.stderr
    assert r.stdout.splitlines() == ["/dev/snd/zero 660 0 1:5", "/dev/snd/sub/null 600 5 1:3",
                                     "2", "ok"]


@pytest.mark.parametrize("args, message", [
    (["--device-cgroup-rule", "x 7:0 r"], "invalid device type"),
    (["--device-cgroup-rule", "c 4096:0 r"], "invalid device number \"4096\""),
    (["--device-cgroup-rule", "c 1:1048576 r"], "invalid device number"),
    (["--device-cgroup-rule", "c 1:3 rwx"], "invalid device access"),
    (["--device-cgroup-rule", "c 1:3"], "use TYPE MAJOR:MINOR ACCESS"),
    (["--device", "/nonexistent/disk"], "No such file or directory"),
    (["--device", "/etc/hostname"], "is not a device node"),
    (["--device", "/dev/null:dev/null"], "must be absolute"),
    (["--device", "/dev/null:/dev/../etc/x"], "without \"..\""),
    (["--device", "/dev/null:/dev/x:rwq"], "invalid device access"),
    (["--device", "/dev/null:/dev/x", "--device", "/dev/zero:/dev/x"],
     "two devices for the same path in the container: /dev/x"),
    (["--device", os.path.dirname(os.path.abspath(__file__))], "no device nodes under"),
])
def test_bad_device_options_are_refused_before_anything_is_created(runtime, args, message):
    assert_refused_before_anything_is_created(runtime, args, message)


def test_v1_devices_list_is_dockers_default(runtime):
    if not os.path.isdir("/sys/fs/cgroup/devices"):
        pytest.skip("no cgroup v1 devices controller")
    r = runtime.md("run", "-d", "busybox", "sleep", "30")
    assert r.returncode == 0, r.stderr
    cid = r.stdout.strip()
    rules = set(open(f"/sys/fs/cgroup/devices/mydocker/{cid}/devices.list").read().splitlines())
    assert rules == {"c *:* m", "b *:* m", "c 1:3 rwm", "c 1:5 rwm", "c 1:7 rwm", "c 1:8 rwm",
                     "c 1:9 rwm", "c 5:0 rwm", "c 5:1 rwm", "c 5:2 rwm", "c 136:* rwm",
                     "c 10:200 rwm"}
    runtime.md("rm", "-f", cid, check=True)
