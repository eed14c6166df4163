"""The package's surface: exports, docstrings, stubs that match the module, and behaviour that
needs a separate process (Ctrl-C, an unprivileged caller)."""

import ast
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pymydocker
from conftest import wait_for

STUB = Path(pymydocker.__file__).parent / "_core.pyi"


def public_members(cls):
    return {n for n in vars(cls) if not n.startswith("_")}


def test_every_public_name_has_a_docstring():
    for name in pymydocker.__all__:
        obj = getattr(pymydocker, name)
        if name == "__version__":
            assert obj.count(".") == 2
            continue
        assert obj.__doc__, f"{name} has no docstring"
        assert obj.__module__ == "pymydocker"
        for attr in public_members(obj):
            assert getattr(obj, attr).__doc__, f"{name}.{attr} has no docstring"
    assert pymydocker.__doc__


def test_stubs_describe_exactly_the_module():
    tree = ast.parse(STUB.read_text())
    classes = {n.name: n for n in tree.body if isinstance(n, ast.ClassDef)}
    assert set(classes) == set(pymydocker.__all__) - {"__version__"}
    for name, node in classes.items():
        cls = getattr(pymydocker, name)
        if issubclass(cls, BaseException):
            stub_bases = {ast.unparse(b) for b in node.bases}
            assert stub_bases == {b.__name__ for b in cls.__bases__}, name
            continue
        stubbed = {n.name for n in node.body
                   if isinstance(n, ast.FunctionDef) and not n.name.startswith("_")}
        assert stubbed == public_members(cls), name


def test_exception_hierarchy():
    for name in ("NotFound", "Conflict", "InvalidArgument", "Timeout", "PermissionDenied",
                 "CommandError"):
        assert issubclass(getattr(pymydocker, name), pymydocker.MyDockerError)
    assert issubclass(pymydocker.InvalidArgument, ValueError)
    assert issubclass(pymydocker.NotFound, LookupError)
    assert issubclass(pymydocker.Timeout, TimeoutError)
    assert issubclass(pymydocker.PermissionDenied, PermissionError)


def python(code, **kwargs):
    return subprocess.Popen([sys.executable, "-c", textwrap.dedent(code)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **kwargs)


def test_ctrl_c_interrupts_a_foreground_run_and_kills_the_container(rt):
    proc = python(f"""
        import pymydocker
        rt = pymydocker.Runtime({rt.root!r})
        try:
            rt.run("busybox", ["sleep", "30"], name="fg")
        except KeyboardInterrupt:
            print("interrupted", rt.containers.get("fg").status, flush=True)
    """)
    wait_for(lambda: any(c.name == "fg" for c in rt.containers.list()), what="fg to run")
    started = time.monotonic()
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=30)
    assert time.monotonic() - started < 5
    assert out == "interrupted stopped\n", err
    assert rt.containers.get("fg").exit_code == 137


def test_an_unprivileged_caller_gets_permission_denied(root):
    os.chmod(root, 0o700)
    proc = python(f"""
        import os, pymydocker
        os.setgid(65534); os.setuid(65534)
        try:
            pymydocker.Runtime({root!r})
        except pymydocker.PermissionDenied as e:
            print("denied", isinstance(e, PermissionError), e.code)
    """)
    out, err = proc.communicate(timeout=30)
    assert out == "denied True PERMISSION_DENIED\n", err


def test_ctrl_c_interrupts_wait_but_not_the_container(rt):
    with rt.run("busybox", ["sleep", "30"], name="bg", detach=True) as c:
        proc = python(f"""
            import pymydocker
            c = pymydocker.Runtime({rt.root!r}).containers.get("bg")
            print("waiting", flush=True)
            try:
                c.wait()
            except KeyboardInterrupt:
                print("interrupted", c.status, flush=True)
        """)
        assert proc.stdout.readline() == "waiting\n"
        time.sleep(0.3)
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=10)
        assert out == "interrupted running\n", err
        assert c.status == "running"
