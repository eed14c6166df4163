"""pymydocker: run Linux containers from Python with mydocker.

A Runtime is bound to one state root; it imports images and runs containers::

    import pymydocker

    rt = pymydocker.Runtime("/var/lib/mydocker")
    rt.images.import_tar("busybox.tar", "busybox")
    with rt.run("busybox", ["echo", "hello"]) as c:
        print(c.exit_code, c.output)

Errors are MyDockerError subclasses: NotFound, Conflict, InvalidArgument, Timeout,
PermissionDenied, CommandError. Every blocking call releases the GIL, so threads can drive
containers in parallel. See docs/python.md.
"""

from ._core import (
    Bundle as Bundle,
    Bundles as Bundles,
    CommandError as CommandError,
    Conflict as Conflict,
    Container as Container,
    Containers as Containers,
    EventStream as EventStream,
    ExecStream as ExecStream,
    Image as Image,
    Images as Images,
    InvalidArgument as InvalidArgument,
    LogStream as LogStream,
    MyDockerError as MyDockerError,
    Networks as Networks,
    NotFound as NotFound,
    PermissionDenied as PermissionDenied,
    ProcessInfo as ProcessInfo,
    Runtime as Runtime,
    Stats as Stats,
    Timeout as Timeout,
    Volumes as Volumes,
    __version__ as __version__,
    features as features,
)

__all__ = [
    "Bundle",
    "Bundles",
    "CommandError",
    "Conflict",
    "Container",
    "Containers",
    "EventStream",
    "ExecStream",
    "Image",
    "Images",
    "InvalidArgument",
    "LogStream",
    "MyDockerError",
    "Networks",
    "NotFound",
    "PermissionDenied",
    "ProcessInfo",
    "Runtime",
    "Stats",
    "Timeout",
    "Volumes",
    "__version__",
]

# The classes live in the compiled module; present them as the package's own (help(), repr).
for _name in __all__[:-1]:
    globals()[_name].__module__ = __name__
del _name
