"""Type stubs for pymydocker (the compiled module pymydocker._core)."""

import datetime
import os
import signal as _signal
from types import TracebackType
from typing import Any, Callable, Iterator, Literal, Mapping, Optional, Sequence, Tuple, Type, Union, overload

__version__: str

_Path = Union[str, os.PathLike[str]]
_Command = Union[str, Sequence[str]]
_Env = Union[Mapping[str, object], Sequence[str]]
_Size = Union[int, str]
_Filters = Union[Mapping[str, object], Sequence[str]]
_Time = Union[datetime.datetime, int, float, str]
_Fd = Union[int, Any]  # a file descriptor or an object with fileno()
_User = Union[int, str, Tuple[int, int]]

class Runtime:
    """mydocker bound to one state root."""

    def __init__(self, root: Optional[_Path] = None, *, helper: Optional[_Path] = None) -> None:
        """Opens (creating if needed) the state root."""
    @property
    def root(self) -> str:
        """The state root directory."""
    @property
    def helper(self) -> str:
        """The helper binary containers are started with."""
    @property
    def images(self) -> Images:
        """The images of this root."""
    @property
    def containers(self) -> Containers:
        """The containers of this root."""
    @property
    def networks(self) -> Networks:
        """The networks of this root."""
    @property
    def volumes(self) -> Volumes:
        """The volumes of this root."""
    def prune(
        self, filters: Optional[_Filters] = None, *, all: bool = False, volumes: bool = False
    ) -> dict[str, Any]:
        """`system prune [-a] [--volumes]`: {'ContainersDeleted', 'NetworksDeleted',
        'VolumesDeleted', 'ImagesDeleted', 'SpaceReclaimed'}."""
    def df(self, *, verbose: bool = True) -> dict[str, Any]:
        """`system df [-v]` as docker-py's client.df(), with 'Summary' rows."""
    def events(
        self,
        since: Optional[_Time] = None,
        until: Optional[_Time] = None,
        filters: Optional[_Filters] = None,
        decode: bool = False,
    ) -> Iterator[Any]:
        """`events` as docker-py's client.events(): JSON strs (decode: dicts); an EventStream
        that follows unless until has passed."""
    def run(
        self,
        image: str,
        command: Optional[_Command] = None,
        *,
        name: str = "",
        env: Optional[_Env] = None,
        volumes: Optional[Union[Sequence[str], Mapping[str, Union[str, Mapping[str, str]]]]] = None,
        memory: Optional[_Size] = None,
        memory_swap: Optional[_Size] = None,
        cpus: Optional[Union[float, str]] = None,
        cpu_shares: Optional[int] = None,
        pids_limit: Optional[int] = None,
        workdir: str = "",
        hostname: str = "",
        user: str = "",
        remove: bool = False,
        entrypoint: Optional[_Command] = None,
        stop_signal: str = "",
        init: bool = False,
        restart: str = "",
        network: Optional[str] = None,
        ports: Optional[Union[Sequence[str], Mapping[Union[str, int], object]]] = None,
        publish_all_ports: bool = False,
        dns: Optional[Sequence[str]] = None,
        extra_hosts: Optional[Union[Sequence[str], Mapping[str, str]]] = None,
        cap_add: Optional[Sequence[str]] = None,
        cap_drop: Optional[Sequence[str]] = None,
        privileged: bool = False,
        mounts: Optional[Sequence[str]] = None,
        tmpfs: Optional[Union[Sequence[str], Mapping[str, str]]] = None,
        read_only: bool = False,
        stop_timeout: Optional[int] = None,
        healthcheck: Optional[Mapping[str, Any]] = None,
        tty: bool = False,
        stdin_open: bool = False,
        log_config: Optional[Mapping[str, Any]] = None,
        detach: bool = False,
    ) -> Container:
        """Creates and starts a container; runs it to completion unless detach."""
    @staticmethod
    def login(server: str, username: str, password: str) -> None:
        """Checks the credentials against the registry and stores them (config.json, 0600)."""
    @staticmethod
    def logout(server: str) -> bool:
        """Removes the stored credentials of server; False when there were none."""


class Container:
    """A container of a Runtime; with-block removes it (forcibly) on exit."""

    @property
    def id(self) -> str:
        """The full id: 64 hex digits."""
    @property
    def short_id(self) -> str:
        """The first 12 digits of the id."""
    @property
    def name(self) -> str:
        """The container's name."""
    @property
    def status(self) -> Literal["created", "running", "paused", "stopped", "removed"]:
        """The container's status, 'removed' once it no longer exists."""
    @property
    def pid(self) -> Optional[int]:
        """The host pid of the container's init process while it runs, else None."""
    @property
    def exit_code(self) -> Optional[int]:
        """How the container's process ended (128+N for signal N); None while running or unknown."""
    @property
    def image(self) -> str:
        """The image reference the container was created from."""
    @property
    def restart_count(self) -> int:
        """How many times its restart policy restarted it since a user last started it."""
    @property
    def health(self) -> str:
        """'starting', 'healthy', 'unhealthy', or 'unknown' without a health check."""
    @property
    def oom_killed(self) -> bool:
        """True if the kernel's OOM killer ended the container."""
    @property
    def output(self) -> Optional[bytes]:
        """What a foreground run() captured of stdout and stderr; None when detached."""
    @property
    def ports(self) -> dict[str, Optional[list[dict[str, str]]]]:
        """`port` as data: {'80/tcp': [{'HostIp': '0.0.0.0', 'HostPort': '8080'}]}."""
    def inspect(self) -> dict[str, Any]:
        """The container as `docker inspect` shows it (State, Config, HostConfig, Spec, ...)."""
    def wait(self, timeout: Optional[float] = None) -> Optional[int]:
        """Blocks until the container has ended; returns its exit code. Raises Timeout."""
    @overload
    def logs(
        self,
        *,
        follow: Literal[False] = False,
        tail: Optional[int] = None,
        stdout: bool = True,
        stderr: bool = True,
        since: Optional[Union[datetime.datetime, float, str]] = None,
        until: Optional[Union[datetime.datetime, float, str]] = None,
    ) -> str:
        """Everything the container wrote so far."""
    @overload
    def logs(
        self,
        *,
        follow: Literal[True],
        tail: Optional[int] = None,
        stdout: bool = True,
        stderr: bool = True,
        since: Optional[Union[datetime.datetime, float, str]] = None,
        until: Optional[Union[datetime.datetime, float, str]] = None,
    ) -> LogStream:
        """The container's output lines as they are written, until it ends."""
    @overload
    def exec(
        self,
        cmd: _Command,
        *,
        env: Optional[_Env] = None,
        workdir: str = "",
        user: str = "",
        tty: bool = False,
        stdin: Optional[Union[bytes, str]] = None,
        demux: Literal[False] = False,
        stream: Literal[False] = False,
        timeout: Optional[float] = None,
    ) -> Tuple[int, bytes]:
        """Runs cmd inside the running container; returns (exit_code, stdout and stderr)."""
    @overload
    def exec(
        self,
        cmd: _Command,
        *,
        env: Optional[_Env] = None,
        workdir: str = "",
        user: str = "",
        tty: bool = False,
        stdin: Optional[Union[bytes, str]] = None,
        demux: Literal[True],
        stream: Literal[False] = False,
        timeout: Optional[float] = None,
    ) -> Tuple[int, Tuple[bytes, Optional[bytes]]]:
        """Runs cmd; returns (exit_code, (stdout, stderr))."""
    @overload
    def exec(
        self,
        cmd: _Command,
        *,
        env: Optional[_Env] = None,
        workdir: str = "",
        user: str = "",
        tty: bool = False,
        stdin: Optional[Union[bytes, str]] = None,
        demux: bool = False,
        stream: Literal[True],
        timeout: Optional[float] = None,
    ) -> ExecStream:
        """Starts cmd; returns an ExecStream of its output as it comes."""
    def start(self) -> None:
        """Starts a created or stopped container, detached. Raises Conflict if it runs."""
    def stop(self, timeout: float = 10.0) -> None:
        """Its stop signal, then SIGKILL after timeout seconds; returns once resources are released."""
    def restart(self, timeout: float = 10.0) -> None:
        """stop(timeout), then start(); a remove=True container is kept across it."""
    def update(
        self,
        *,
        memory: Optional[_Size] = None,
        memory_swap: Optional[_Size] = None,
        cpus: Optional[Union[float, str]] = None,
        cpu_shares: Optional[int] = None,
        pids_limit: Optional[int] = None,
        restart_policy: Optional[Union[str, Mapping[str, Any]]] = None,
    ) -> None:
        """Changes resource limits and the restart policy. Raises InvalidArgument."""
    def rename(self, new_name: str) -> None:
        """Renames the container. Raises Conflict if new_name is in use."""
    def top(self) -> list[ProcessInfo]:
        """The processes of the running container. Raises Conflict unless it runs."""
    def get_archive(self, path: str, *, follow_link: bool = False,
                    fd: Optional[int] = None) -> Optional[bytes]:
        """`cp` out: `path` as an uncompressed tar (bytes, or written to fd)."""
    def put_archive(self, path: str, data: Union[bytes, bytearray, memoryview, int, Any], *,
                    keep_owner: bool = False) -> None:
        """`cp` in: a tar (bytes, fd or file object) unpacked into the directory `path`."""
    def export(self, *, fd: Optional[int] = None) -> Optional[bytes]:
        """The container's root file system as an uncompressed tar (bytes, or written to fd)."""
    def diff(self) -> list[dict[str, Any]]:
        """Changes against the image: [{'Path': str, 'Kind': 0 changed | 1 added | 2 deleted}]."""
    def commit(self, repository: str = "", *, message: str = "", author: str = "",
               changes: Sequence[str] = (), pause: bool = True) -> Image:
        """A new image of the container's changes and configuration, tagged `repository`."""
    def attach(
        self,
        input: Optional[Union[bytes, str, int, Any]] = None,
        *,
        stdout: bool = True,
        stderr: bool = True,
        detach_keys: str = "",
        callback: Optional[Callable[[int, bytes], Any]] = None,
    ) -> Tuple[Optional[int], bytes]:
        """Joins the running container's streams; (exit_code, output), exit_code None if detached."""
    def kill(self, signal: Union[int, str, _signal.Signals] = 9) -> None:
        """Sends a signal to the container's init process. Raises Conflict if not running."""
    def remove(self, *, force: bool = False, volumes: bool = False) -> None:
        """Removes the container. Raises Conflict while it runs unless force."""
    def stats(self) -> Stats:
        """Resource usage from the container's cgroup."""
    def connect(self, network: str, *, ip: str = "", aliases: Sequence[str] = ()) -> None:
        """`network connect`: an address and an interface on network."""
    def disconnect(self, network: str) -> None:
        """`network disconnect`. Raises NotFound if it is not on it."""
    @property
    def networks(self) -> list[str]:
        """The names of the networks it is on, its first first."""
    def pause(self) -> None:
        """Freezes every process of the container."""
    def resume(self) -> None:
        """Thaws a paused container."""
    def __enter__(self) -> Container: ...
    def __exit__(
        self,
        exc_type: Optional[Type[BaseException]],
        exc: Optional[BaseException],
        tb: Optional[TracebackType],
    ) -> None: ...
    def __eq__(self, other: object) -> bool: ...
    def __hash__(self) -> int: ...


class Containers:
    """The containers of a runtime (Runtime.containers)."""

    def list(self, *, all: bool = False) -> list[Container]:
        """Running and paused containers, or every container with all=True."""
    def prune(self, filters: Optional[_Filters] = None) -> dict[str, Any]:
        """`container prune`: {'ContainersDeleted': [ids], 'SpaceReclaimed': bytes}."""
    def get(self, ref: str) -> Container:
        """The container named ref (name, id or unique id prefix). Raises NotFound."""
    def create(
        self,
        image: str,
        command: Optional[_Command] = None,
        *,
        name: str = "",
        env: Optional[_Env] = None,
        volumes: Optional[Union[Sequence[str], Mapping[str, Union[str, Mapping[str, str]]]]] = None,
        memory: Optional[_Size] = None,
        memory_swap: Optional[_Size] = None,
        cpus: Optional[Union[float, str]] = None,
        cpu_shares: Optional[int] = None,
        pids_limit: Optional[int] = None,
        workdir: str = "",
        hostname: str = "",
        user: str = "",
        remove: bool = False,
        entrypoint: Optional[_Command] = None,
        stop_signal: str = "",
        init: bool = False,
        restart: str = "",
        network: Optional[str] = None,
        ports: Optional[Union[Sequence[str], Mapping[Union[str, int], object]]] = None,
        publish_all_ports: bool = False,
        dns: Optional[Sequence[str]] = None,
        extra_hosts: Optional[Union[Sequence[str], Mapping[str, str]]] = None,
        cap_add: Optional[Sequence[str]] = None,
        cap_drop: Optional[Sequence[str]] = None,
        privileged: bool = False,
        mounts: Optional[Sequence[str]] = None,
        tmpfs: Optional[Union[Sequence[str], Mapping[str, str]]] = None,
        read_only: bool = False,
        stop_timeout: Optional[int] = None,
        healthcheck: Optional[Mapping[str, Any]] = None,
        tty: bool = False,
        stdin_open: bool = False,
        log_config: Optional[Mapping[str, Any]] = None,
    ) -> Container:
        """Creates a container (status 'created') without starting it."""


class ExecStream(Iterator[Any]):
    """The output of Container.exec(stream=True), chunk by chunk as the command writes it."""

    def __iter__(self) -> ExecStream: ...
    def __next__(self) -> Any: ...
    def close(self) -> None:
        """Stops reading; a command still running gets SIGTERM."""
    @property
    def exit_code(self) -> Optional[int]:
        """The command's exit code once the iteration ended, else None."""
    def __enter__(self) -> ExecStream: ...
    def __exit__(
        self,
        exc_type: Optional[Type[BaseException]],
        exc: Optional[BaseException],
        tb: Optional[TracebackType],
    ) -> None: ...


class Volumes:
    """The volumes of a runtime (Runtime.volumes), each a dict as `volume inspect` shows it."""

    def create(
        self, name: Optional[str] = None, *, labels: Optional[Mapping[str, str]] = None
    ) -> dict[str, Any]:
        """`volume create [--label K=V] [NAME]`: makes the volume or returns the existing one."""
    def list(self, *, filters: Optional[_Filters] = None) -> list[dict[str, Any]]:
        """`volume ls [--filter]`: the volumes the filters select."""
    def get(self, name: str) -> dict[str, Any]:
        """`volume inspect NAME`. Raises NotFound."""
    def remove(self, name: str, *, force: bool = False) -> None:
        """`volume rm [-f] NAME`. Raises NotFound, or Conflict while in use unless force."""
    def prune(self, *, all: bool = False) -> list[str]:
        """`volume prune [-a]`: removes unused anonymous (all: every unused) volumes."""


class Bundles:
    """Containers from OCI bundles through mydocker-runc (runc's model: the caller supervises)."""

    def __init__(self, root: Optional[_Path] = None, *, runc: Optional[_Path] = None) -> None:
        """mydocker-runc's state directory (None: /run/mydocker-runc) and executable."""
    @property
    def root(self) -> str:
        """mydocker-runc's state directory."""
    @property
    def runc(self) -> str:
        """The mydocker-runc executable."""
    def create(
        self,
        bundle: _Path,
        id: str,
        *,
        stdin: Optional[_Fd] = None,
        stdout: Optional[_Fd] = None,
        stderr: Optional[_Fd] = None,
        pid_file: Optional[_Path] = None,
        console_socket: Optional[_Path] = None,
    ) -> Bundle:
        """`create --bundle BUNDLE ID`: the container, its init waiting for start()."""
    def get(self, id: str) -> Bundle:
        """The container `id`. Raises NotFound."""
    def list(self) -> list[Bundle]:
        """Every container of root."""


class Bundle:
    """A container made from an OCI bundle: a handle on (root, id)."""

    @property
    def id(self) -> str:
        """The container's id."""
    @property
    def status(self) -> str:
        """'created', 'running', 'paused' or 'stopped'."""
    @property
    def pid(self) -> int:
        """Init's pid."""
    def state(self) -> dict[str, Any]:
        """`state ID`: the OCI state document as a dict."""
    def start(self) -> None:
        """`start ID`: init executes process.args."""
    def kill(self, signal: Union[int, _signal.Signals] = _signal.SIGTERM) -> None:
        """`kill ID SIGNAL` (default SIGTERM)."""
    def pause(self) -> None:
        """`pause ID`: freezes the running container."""
    def resume(self) -> None:
        """`resume ID`: thaws the paused container."""
    def pids(self) -> list[int]:
        """`ps ID`: the pids of the container's processes."""
    def stats(self) -> dict[str, Any]:
        """`events --stats ID`: one stats event, as runc prints it."""
    def delete(self, *, force: bool = False) -> None:
        """`delete [--force] ID`."""
    def exec(
        self,
        cmd: _Command,
        *,
        env: Optional[_Env] = None,
        workdir: Optional[str] = None,
        user: Optional[_User] = None,
        detach: bool = False,
        stdin: Optional[_Fd] = None,
        stdout: Optional[_Fd] = None,
        stderr: Optional[_Fd] = None,
        tty: bool = False,
        console_socket: Optional[_Path] = None,
    ) -> int:
        """`exec`: the exit status, or with detach the process's pid."""


def features() -> dict[str, Any]:
    """What this build supports: the OCI runtime spec's features document, as a dict."""


class LogStream(Iterator[str]):
    """An iterator over a container's output lines as they are written."""

    def __iter__(self) -> LogStream: ...
    def __next__(self) -> str: ...
    def close(self) -> None:
        """Stops following; the iteration ends."""
    def __enter__(self) -> LogStream: ...
    def __exit__(
        self,
        exc_type: Optional[Type[BaseException]],
        exc: Optional[BaseException],
        tb: Optional[TracebackType],
    ) -> None: ...


class Stats:
    """Resource usage of a running or paused container, from its cgroup."""

    @property
    def cpu_usage_ns(self) -> int:
        """Cumulative CPU time of every process of the container, in nanoseconds."""
    @property
    def memory_usage(self) -> int:
        """Memory in use, in bytes."""
    @property
    def memory_limit(self) -> Optional[int]:
        """Memory limit in bytes, or None when unlimited."""
    @property
    def pids_current(self) -> int:
        """Number of processes (and threads) in the container."""
    @property
    def pids_limit(self) -> Optional[int]:
        """Process limit, or None when unlimited."""
    @property
    def oom_kills(self) -> int:
        """How many times the kernel's OOM killer struck inside the container."""
    @property
    def net_rx_bytes(self) -> int:
        """Bytes received on its network interfaces but lo."""
    @property
    def net_tx_bytes(self) -> int:
        """Bytes sent on its network interfaces but lo."""


class EventStream(Iterator[Any]):
    """An iterator over events as they are recorded, from Runtime.events()."""

    def __iter__(self) -> EventStream: ...
    def __next__(self) -> Any: ...
    def close(self) -> None:
        """Stops following; the iteration ends."""
    def __enter__(self) -> EventStream: ...
    def __exit__(
        self,
        exc_type: Optional[Type[BaseException]],
        exc: Optional[BaseException],
        tb: Optional[TracebackType],
    ) -> None: ...


class Networks:
    """The networks of a runtime (Runtime.networks)."""

    def create(
        self,
        name: str,
        *,
        subnet: str = "",
        gateway: str = "",
        internal: bool = False,
        labels: Mapping[str, str] = {},
    ) -> dict[str, Any]:
        """Creates a bridge network; returns its inspect dict."""
    def list(self) -> list[dict[str, Any]]:
        """Every network as a list of inspect dicts."""
    def get(self, name: str) -> dict[str, Any]:
        """`network inspect NAME` as a dict. Raises NotFound."""
    def remove(self, name: str) -> None:
        """`network rm`. Raises Conflict while a container is on it."""
    def prune(self, filters: Optional[_Filters] = None) -> list[str]:
        """Removes every user network no container is on (that filters select); returns their
        names."""


class ProcessInfo:
    """One process of a running container, from Container.top(); host pids."""

    @property
    def pid(self) -> int:
        """The process id on the host."""
    @property
    def ppid(self) -> int:
        """The parent's process id on the host."""
    @property
    def uid(self) -> int:
        """The real user id, as the host sees it."""
    @property
    def user(self) -> str:
        """The host's name for uid (the number as a str if it has none)."""
    @property
    def state(self) -> str:
        """The kernel's one-letter state (R, S, D, T, Z, ...)."""
    @property
    def cpu_seconds(self) -> float:
        """CPU time used so far (user and system), in seconds."""
    @property
    def command(self) -> str:
        """The command line, its arguments joined by spaces."""


class Images:
    """The images of a runtime (Runtime.images)."""

    def list(self) -> list[Image]:
        """Returns every image."""
    def get(self, ref: str) -> Image:
        """Returns the image named ref ('name[:tag]', id or unique id prefix). Raises NotFound."""
    def inspect(self, ref: str) -> dict[str, Any]:
        """The image as `docker image inspect` shows it (RepoTags, Config, RootFS, ...)."""
    def import_tar(self, path: _Path, ref: str) -> Image:
        """Imports a root file system tarball as a one-layer image tagged ref."""
    def remove(self, ref: str, *, force: bool = False) -> None:
        """Removes the tag ref (or, given an id, every tag). Raises NotFound or Conflict."""
    def prune(self, filters: Optional[_Filters] = None, *, all: bool = False) -> dict[str, Any]:
        """`image prune [-a]`: {'ImagesDeleted': [{'Untagged'} | {'Deleted'}], 'SpaceReclaimed'}."""
    def tag(self, source: str, target: str) -> None:
        """`tag SOURCE TARGET`. Raises NotFound or InvalidArgument."""
    def save(self, refs: Union[str, Sequence[str]], path: _Path) -> None:
        """`save -o PATH`: the images as one tar (Docker's form and an OCI layout)."""
    def load(self, path: _Path) -> list[Image]:
        """`load -i PATH`: the images of a saved archive or OCI layout, with their tags."""
    def history(self, ref: str) -> list[dict[str, Any]]:
        """`history`: the image's steps, newest first (Id, Created, CreatedBy, Tags, Size, Comment)."""
    def pull(
        self,
        ref: str,
        *,
        platform: Optional[str] = None,
        progress: Optional[Callable[[dict[str, Any]], object]] = None,
    ) -> Image:
        """Pulls ref from its registry; progress gets Docker's pull stream events."""
    def push(
        self, ref: str, *, progress: Optional[Callable[[dict[str, Any]], object]] = None
    ) -> str:
        """Pushes the image tagged ref; returns the manifest's digest."""


class Image:
    """An image: read-only layers and the defaults run() uses."""

    @property
    def id(self) -> str:
        """The image id, 'sha256:' and 64 hex digits."""
    @property
    def tags(self) -> list[str]:
        """Its references, e.g. ['busybox:latest']."""
    @property
    def created(self) -> Optional[datetime.datetime]:
        """When it was imported, as an aware datetime in UTC."""
    @property
    def size(self) -> int:
        """Bytes of unpacked content."""
    @property
    def layers(self) -> list[str]:
        """Layer diff ids, bottom layer first."""


class MyDockerError(Exception):
    """Base class of every error mydocker raises."""

    code: str
    """The core's status code name, e.g. 'NOT_FOUND'."""
    exit_code: int
    """125 (runtime error), 126 (command cannot be invoked) or 127 (command not found)."""


class NotFound(MyDockerError, LookupError):
    """No such container, image or volume."""


class Conflict(MyDockerError):
    """The operation conflicts with the current state (name in use, container running, ...)."""


class InvalidArgument(MyDockerError, ValueError):
    """A bad argument, e.g. an unparsable memory size."""


class Timeout(MyDockerError, TimeoutError):
    """A wait ran out of time."""


class PermissionDenied(MyDockerError, PermissionError):
    """The operating system refused; running containers needs root."""


class CommandError(MyDockerError):
    """The container's command could not be run (exit_code 126 or 127)."""
