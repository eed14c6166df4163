"""Fixtures for pymydocker's tests.

Each test gets a Runtime on its own temporary state root with busybox imported. Teardown is
the CLI integration tests' own (tests/integration/conftest.py, loaded as a module): every
container of the root is removed with `mydocker rm -f`, and the test fails if anything is left:
a mount or process mentioning the root, a cgroup of one of its containers, a container
directory. The module comes from PYTHONPATH (CTest points it at build/python), the helper from
MYDOCKER_HELPER and the image from MYDOCKER_BUSYBOX_TAR.
"""

import importlib.util
import os
import shutil
import tempfile
from pathlib import Path

import pytest

import pymydocker

REPO = Path(__file__).resolve().parents[2]
BUSYBOX_TAR = os.environ.get("MYDOCKER_BUSYBOX_TAR", str(REPO / "build" / "busybox.tar"))


def pytest_collection_modifyitems(config, items):
    if os.geteuid() != 0:
        skip = pytest.mark.skip(reason="pymydocker tests start containers and need root")
        for item in items:
            item.add_marker(skip)


def _load_integration_helpers():
    """The CLI integration tests' fixtures module: its teardown and leak checks, reused."""
    spec = importlib.util.spec_from_file_location(
        "mydocker_integration_conftest", REPO / "tests" / "integration" / "conftest.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


_helpers = _load_integration_helpers()
wait_for = _helpers.wait_for
http_get = _helpers.http_get
CGROUP_ROOT = _helpers.CGROUP_ROOT
cgroup_dirs_for = _helpers.cgroup_dirs_for


class _Tracked:
    """Forwards to a pymydocker object, recording the id of every container its methods named
    in TRACKED make, for the leak checks (one removed with remove=True is gone before teardown
    could see it)."""

    TRACKED = ()

    def __init__(self, target, ids):
        self._target = target
        self._ids = ids

    def __getattr__(self, name):
        attr = getattr(self._target, name)
        if name not in self.TRACKED:
            return attr

        def tracked(*args, **kwargs):
            container = attr(*args, **kwargs)
            self._ids.add(container.id)
            return container
        return tracked


class TrackedContainers(_Tracked):
    """Runtime.containers, tracking create()."""

    TRACKED = ("create",)


class TrackedRuntime(_Tracked):
    """A pymydocker.Runtime tracking run() and containers.create()."""

    TRACKED = ("run",)

    @property
    def containers(self):
        return TrackedContainers(self._target.containers, self._ids)


@pytest.fixture(scope="session")
def busybox_tar():
    assert os.path.isfile(BUSYBOX_TAR), f"no busybox tarball at {BUSYBOX_TAR} (set MYDOCKER_BUSYBOX_TAR)"
    assert os.environ.get("MYDOCKER_HELPER"), "set MYDOCKER_HELPER to the built mydocker binary"
    return BUSYBOX_TAR


@pytest.fixture
def root():
    """A fresh, empty state root directory, removed (and checked for leaks) afterwards."""
    path = tempfile.mkdtemp(prefix="pymydocker-test-")
    yield path
    shutil.rmtree(path, ignore_errors=True)


@pytest.fixture
def rt(root, busybox_tar):
    """A Runtime on a temporary root with busybox imported. Teardown is the CLI integration
    tests' own: `rm -f` of every container through the CLI, then the check that no mount,
    cgroup, process or container directory is left."""
    runtime = pymydocker.Runtime(root)
    runtime.images.import_tar(busybox_tar, "busybox")
    checker = _helpers.Runtime(root, os.environ["MYDOCKER_HELPER"])
    problems = []
    try:
        yield TrackedRuntime(runtime, checker.ids)
    finally:
        problems = checker.teardown()
    assert not problems, "test left resources behind:\n" + "\n".join(problems)
