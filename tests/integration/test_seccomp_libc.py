"""The default seccomp profile is an allow list (issue #20): what glibc and musl programs do at
start-up and soon after (threads, fork, posix_spawn, sockets, epoll, memfd, ...) works under it,
in `run` and `exec` and as another user, and a system call the profile does not name gets ENOSYS,
as from an older kernel, which C libraries take as "fall back".

libc_startup.c is built statically against each C library (Debian's gcc and musl-gcc, from
musl-tools) and bind-mounted into busybox."""

import errno
import shutil
import subprocess

import pytest

from conftest import REPO

SOURCE = REPO / "tests" / "integration" / "libc_startup.c"
# listmount(2), Linux 6.8: newer than every call the profile names.
LISTMOUNT = 458
# Far above every system call number.
UNKNOWN = 1000


@pytest.fixture(scope="module")
def programs(tmp_path_factory):
    out = tmp_path_factory.mktemp("libc")
    out.chmod(0o755)
    compilers = {"glibc": "gcc", "musl": "musl-gcc"}
    for libc, cc in compilers.items():
        assert shutil.which(cc), f"{cc} is missing (tools/install-deps.sh installs it)"
        subprocess.run([cc, "-static", "-O1", "-o", str(out / libc), str(SOURCE), "-lpthread"],
                       check=True, capture_output=True)
    return out


def probe_on_host(programs, number):
    r = subprocess.run([str(programs / "musl"), "probe", str(number)], capture_output=True,
                       text=True, check=True)
    return int(r.stdout)


@pytest.mark.parametrize("libc", ["glibc", "musl"])
def test_a_libc_program_works_under_the_default_profile(runtime, programs, libc):
    volume = f"{programs}:/t:ro"
    r = runtime.md("run", "--rm", "-v", volume, "busybox", f"/t/{libc}", timeout=60)
    assert (r.returncode, r.stdout) == (0, "ok\n"), r.stdout + r.stderr
    r = runtime.md("run", "--rm", "-u", "1000:1000", "-v", volume, "busybox", f"/t/{libc}",
                   timeout=60)
    assert (r.returncode, r.stdout) == (0, "ok\n"), r.stdout + r.stderr
    runtime.md("run", "-d", "--name", "c", "-v", volume, "busybox", "sleep", "600", check=True)
    r = runtime.md("exec", "c", f"/t/{libc}", timeout=60)
    assert (r.returncode, r.stdout) == (0, "ok\n"), r.stdout + r.stderr
    runtime.md("rm", "-f", "c", check=True)


def test_calls_the_profile_does_not_name_get_enosys(runtime, programs):
    volume = f"{programs}:/t:ro"

    def probe(number, *opts):
        r = runtime.md("run", "--rm", *opts, "-v", volume, "busybox", "/t/musl", "probe",
                       str(number), check=True)
        return int(r.stdout)

    assert probe(UNKNOWN) == errno.ENOSYS
    assert probe(LISTMOUNT) == errno.ENOSYS
    # The filter's answer, not the kernel's: a kernel that has listmount (Linux 6.8) answers
    # otherwise without the filter.
    unconfined = probe(LISTMOUNT, "--security-opt", "seccomp=unconfined")
    assert unconfined == probe_on_host(programs, LISTMOUNT)
    if unconfined != errno.ENOSYS:
        assert probe(LISTMOUNT) == errno.ENOSYS
