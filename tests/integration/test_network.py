"""Networks: bridges, addresses, published ports, names, isolation (issue #14).

Every test runs inside a network namespace it creates itself (the `netns` fixture: the test
process unshares a fresh one and returns to its own at the end), so bridges, veth pairs, routes,
addresses and nftables tables exist only there and no packet reaches the host's interfaces. The
namespace has lo and an interface with 10.99.0.1/24, "the namespace's other address".
"""

import ctypes
import json
import os
import shutil
import socket
import subprocess
import tempfile
import threading
import time
from pathlib import Path

import pytest

from conftest import http_get, processes_mentioning, wait_for

CLONE_NEWNET = 0x40000000
OTHER_ADDRESS = "10.99.0.1"
DEFAULT_SUBNET = "10.200.0.0/24"
_libc = ctypes.CDLL(None, use_errno=True)

UDP_ECHO_C = r"""
#include <arpa/inet.h>
#include <stdlib.h>
#include <sys/socket.h>
int main(int argc, char **argv) {
  int s = socket(AF_INET, SOCK_DGRAM, 0);
  struct sockaddr_in a = {0};
  a.sin_family = AF_INET;
  a.sin_port = htons(atoi(argv[1]));
  if (bind(s, (struct sockaddr *)&a, sizeof a) != 0) return 1;
  for (;;) {
    char buf[512];
    struct sockaddr_in from;
    socklen_t len = sizeof from;
    ssize_t n = recvfrom(s, buf, sizeof buf, 0, (struct sockaddr *)&from, &len);
    if (n > 0) sendto(s, buf, n, 0, (struct sockaddr *)&from, len);
  }
}
"""


def _check(rc, what):
    if rc != 0:
        err = ctypes.get_errno()
        raise OSError(err, f"{what}: {os.strerror(err)}")


def _setup_cmd(*args):
    subprocess.run(list(args), check=True, capture_output=True)


@pytest.fixture(scope="session")
def udp_echo():
    """A static UDP echo server to bind into busybox containers (busybox's nc has no -u)."""
    if shutil.which("cc") is None:
        pytest.skip("no C compiler for the UDP echo server")
    tmp = tempfile.mkdtemp(prefix="mydocker-it-udp-")
    src = os.path.join(tmp, "udpecho.c")
    Path(src).write_text(UDP_ECHO_C)
    binary = os.path.join(tmp, "udpecho")
    subprocess.run(["cc", "-static", "-O1", "-o", binary, src], check=True, capture_output=True)
    yield binary
    shutil.rmtree(tmp, ignore_errors=True)


def nft_tables(binary):
    nft = os.path.join(os.path.dirname(binary), "mydocker-nft")
    out = subprocess.run([nft], input="list tables\n", capture_output=True, text=True, check=True)
    return [line.split()[-1] for line in out.stdout.splitlines() if line.startswith("table")]


def links():
    out = subprocess.run(["ip", "-o", "link"], capture_output=True, text=True, check=True).stdout
    return [line.split(":")[1].strip().split("@")[0] for line in out.splitlines()]


@pytest.fixture
def netns(mydocker_bin):
    """Moves this test process into a fresh network namespace for the test's duration."""
    own = os.open("/proc/thread-self/ns/net", os.O_RDONLY)
    saved_env = os.environ.get("MYDOCKER_BRIDGE_SUBNET")
    _check(_libc.unshare(CLONE_NEWNET), "unshare(CLONE_NEWNET)")
    try:
        _setup_cmd("ip", "link", "set", "lo", "up")
        # A veth pair stands for the namespace's other interface (the kernel may lack dummy).
        _setup_cmd("ip", "link", "add", "dummy0", "type", "veth", "peer", "name", "dummy1")
        _setup_cmd("ip", "addr", "add", f"{OTHER_ADDRESS}/24", "dev", "dummy0")
        _setup_cmd("ip", "link", "set", "dummy0", "up")
        _setup_cmd("ip", "link", "set", "dummy1", "up")
        os.environ["MYDOCKER_BRIDGE_SUBNET"] = DEFAULT_SUBNET
        yield
    finally:
        if saved_env is None:
            os.environ.pop("MYDOCKER_BRIDGE_SUBNET", None)
        else:
            os.environ["MYDOCKER_BRIDGE_SUBNET"] = saved_env
        _check(_libc.setns(own, CLONE_NEWNET), "setns back")
        os.close(own)


@pytest.fixture
def rt(netns, runtime, mydocker_bin):
    """The runtime fixture inside the namespace; afterwards no veth and no container table."""
    yield runtime
    # The containers are removed by the runtime fixture's teardown, which runs before this
    # point only for its own part: remove them here to check what their removal leaves.
    ids = runtime.md("ps", "-aq", "--no-trunc").stdout.split()
    if ids:
        runtime.md("rm", "-f", *ids)
    runtime.md("network", "prune", "-f")

    def leftovers():
        left = [l for l in links() if l.startswith("veth") or l.startswith("md-")]
        tables = [t for t in nft_tables(mydocker_bin) if t.startswith("mydocker-c-") or
                  (t.startswith("mydocker-n-md-"))]
        return (left, tables) if left or tables else None

    # A monitor deletes its container's veth pair after telling the client the container ended
    # (docs/networking.md): the last one of a `run --rm` may still be going for a moment.
    deadline = time.monotonic() + 5
    left = leftovers()
    while left and time.monotonic() < deadline:
        time.sleep(0.05)
        left = leftovers()
    assert not left, f"left behind: links {left[0]}, tables {left[1]}"


def serve_http(rt, name, *args, text="hello"):
    out = rt.md("run", "-d", "--name", name, *args, "busybox", "sh", "-c",
                f"mkdir -p /www && echo {text} > /www/index.html && exec httpd -f -p 80 -h /www",
                check=True)
    rt.track(out.stdout)
    return out.stdout.strip()


def udp_roundtrip(host, port, payload=b"ping"):
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.settimeout(1)
        try:
            s.sendto(payload, (host, port))
            return s.recvfrom(512)[0]
        except OSError:
            return None


def fetch_from(rt, network, host):
    """GET / of host:80 from a new container on `network` (busybox's wget cannot resolve names:
    the static binary's resolver crashes; nc's works). Returns the CompletedProcess."""
    return rt.md("run", "--rm", "--network", network, "busybox", "sh", "-c",
                 f"printf 'GET / HTTP/1.0\\r\\n\\r\\n' | nc -w 3 {host} 80")


def hosts_names(text):
    """Every name an /etc/hosts text gives (the words after each address)."""
    return {name for line in text.splitlines() for name in line.split()[1:]}


def container_ip(rt, name):
    return rt.md("exec", name, "hostname", "-i", check=True).stdout.split()[0]


def recorded_ip(rt, cid):
    """The address the container's record gives it on its first network."""
    return json.loads((rt.container_dir(cid) / "network.json").read_text())["networks"][0]["ip"]


def test_published_tcp_and_udp_from_loopback_and_other_address(rt, udp_echo):
    serve_http(rt, "web", "-p", "8080:80", "-p", "5353:53/udp", "-v", f"{udp_echo}:/udpecho:ro",
               "--network", "bridge")
    rt.md("exec", "-d", "web", "/udpecho", "53", check=True)
    for host in ("127.0.0.1", OTHER_ADDRESS):
        assert wait_for(lambda: http_get(f"http://{host}:8080/"), what=f"http via {host}") == "hello\n"
        assert wait_for(lambda: udp_roundtrip(host, 5353), what=f"udp via {host}") == b"ping"
    port = rt.md("port", "web", check=True).stdout
    assert "80/tcp -> 0.0.0.0:8080" in port and "53/udp -> 0.0.0.0:5353" in port
    # Not published: no answer.
    assert http_get("http://127.0.0.1:8081/") is None
    info = json.loads(rt.md("inspect", "web", check=True).stdout)[0]["NetworkSettings"]
    assert info["Ports"]["80/tcp"] == [{"HostIp": "0.0.0.0", "HostPort": "8080"}]
    assert info["IPAddress"].startswith("10.200.0.") and info["Gateway"] == "10.200.0.1"
    assert "0.0.0.0:8080->80/tcp" in rt.md("ps", check=True).stdout
    assert "0.0.0.0:8080->80/tcp" in rt.inspect("web")["Ports"]


def test_random_host_port_and_etc_files(rt):
    serve_http(rt, "web", "-p", "80", "--hostname", "webhost", "--add-host", "db:10.1.2.3",
               "--dns", "10.0.0.53", "--dns-search", "corp.example")
    line = rt.md("port", "web", check=True).stdout.strip()
    host_port = int(line.rsplit(":", 1)[1])
    assert host_port >= 49153
    assert wait_for(lambda: http_get(f"http://127.0.0.1:{host_port}/")) == "hello\n"
    hosts = rt.md("exec", "web", "cat", "/etc/hosts", check=True).stdout
    assert "127.0.0.1\tlocalhost" in hosts and "10.1.2.3\tdb" in hosts and "webhost" in hosts
    resolv = rt.md("exec", "web", "cat", "/etc/resolv.conf", check=True).stdout
    assert resolv == "nameserver 10.0.0.53\nsearch corp.example\n"
    assert rt.md("exec", "web", "cat", "/etc/hostname", check=True).stdout == "webhost\n"


def test_containers_reach_each_other_by_name_on_a_user_network(rt):
    rt.md("network", "create", "--subnet", "10.201.0.0/24", "front", check=True)
    serve_http(rt, "srv", "--network", "front", "--network-alias", "www")
    for name in ("srv", "www"):
        out = fetch_from(rt, "front", name)
        assert out.returncode == 0 and "200 OK" in out.stdout, out.stderr
        assert out.stdout.endswith("\nhello\n")
    # A client that existed first learns of a newcomer: its /etc/hosts is kept current.
    rt.md("run", "-d", "--name", "late", "--network", "front", "busybox", "sleep", "1000",
          check=True)
    assert "late" in rt.md("exec", "srv", "cat", "/etc/hosts", check=True).stdout


def test_no_traffic_between_two_user_networks(rt):
    rt.md("network", "create", "--subnet", "10.202.0.0/24", "neta", check=True)
    rt.md("network", "create", "--subnet", "10.203.0.0/24", "netb", check=True)
    serve_http(rt, "srv", "--network", "neta")
    ip = container_ip(rt, "srv")
    same = fetch_from(rt, "neta", ip)
    assert same.returncode == 0 and same.stdout.endswith("hello\n"), same.stderr
    other = fetch_from(rt, "netb", ip)
    assert "hello" not in other.stdout


def test_internal_network_has_no_route_out(rt):
    rt.md("network", "create", "--internal", "--subnet", "10.204.0.0/24", "isol", check=True)
    routes = rt.md("run", "--rm", "--network", "isol", "busybox", "ip", "route", check=True).stdout
    assert "default" not in routes and "10.204.0.0/24" in routes
    out = rt.md("run", "--rm", "--network", "isol", "busybox", "ping", "-c", "1", "-W", "1",
                OTHER_ADDRESS)
    assert out.returncode != 0
    # On a normal network the same address answers.
    ok = rt.md("run", "--rm", "--network", "bridge", "busybox", "ping", "-c", "1", "-W", "3",
               OTHER_ADDRESS)
    assert ok.returncode == 0, ok.stdout + ok.stderr


def test_network_host_sees_the_namespace_interfaces(rt):
    out = rt.md("run", "--rm", "--network", "host", "busybox", "ip", "addr", check=True).stdout
    assert "dummy0" in out and OTHER_ADDRESS in out
    own = rt.md("run", "--rm", "--network", "none", "busybox", "ip", "-o", "link",
                check=True).stdout
    assert [line.split(":")[1].strip() for line in own.splitlines()] == ["lo"]


@pytest.mark.parametrize("args", [[], ["--network", "default"]])
def test_the_default_is_the_bridge_network(rt, args):
    """Without --network (or with Docker's name "default") a container is on `bridge`."""
    out = rt.md("run", "--rm", *args, "busybox", "sh", "-c",
                "ip -o -4 addr; ip route; echo queues $(ls /sys/class/net/eth0/queues)",
                check=True).stdout
    assert " eth0 " in out and "inet 10.200.0." in out, out
    assert "default via 10.200.0.1 dev eth0" in out, out
    # One queue each way, not one per CPU (docs/networking.md).
    assert "queues rx-0 tx-0\n" in out, out
    cid = rt.md("create", *args, "busybox", "true", check=True).stdout.strip()
    rt.track(cid)
    info = json.loads(rt.md("inspect", cid, check=True).stdout)[0]["NetworkSettings"]
    assert list(info["Networks"]) == ["bridge"] and info["IPAddress"].startswith("10.200.0.")
    # Its veth goes with it; `run --rm` returned before the kernel finished deleting the last
    # one, so the fixture's check after this test also waits for nothing.
    rt.md("rm", cid, check=True)


def test_sysctl_of_the_containers_interface_is_set_after_it_is_connected(rt):
    """Init mounts while the monitor connects the namespace, but waits for eth0 to exist before
    it writes a sysctl that names it (Docker applies them once the network is in place)."""
    out = rt.md("run", "--rm", "--sysctl", "net.ipv4.conf.eth0.rp_filter=2", "--sysctl",
                "net.ipv4.conf.all.forwarding=1", "busybox", "cat",
                "/proc/sys/net/ipv4/conf/eth0/rp_filter", "/proc/sys/net/ipv4/conf/all/forwarding",
                check=True).stdout
    assert out == "2\n1\n", out


def test_a_set_up_failure_while_the_network_is_connected_is_inits_own(rt, tmp_path):
    """Init mounts while the monitor connects its namespace: when a mount fails meanwhile, the
    error is the mount's (not the network's, which fails too once the namespace is gone), and
    nothing is left (the fixture checks links and tables)."""
    f = tmp_path / "file"
    f.write_text("x")
    for _ in range(5):
        r = rt.md("run", "--rm", "-v", f"{f}:/etc", "busybox", "true")
        assert r.returncode == 125, r.stderr
        assert r.stderr.startswith(f"mydocker: bind {f} on /etc: ") and \
            r.stderr.count("\n") == 1, r.stderr
    assert rt.md("ps", "-aq", check=True).stdout == ""


def test_a_stale_pair_of_the_same_name_is_replaced(rt):
    """A host-side veth left by a crash (its name taken) is deleted and the pair made again."""
    cid = rt.md("create", "busybox", "sh", "-c", "ip -o link show eth0", check=True).stdout.strip()
    rt.track(cid)
    stale = f"veth{cid[:11]}"
    _setup_cmd("ip", "link", "add", stale, "type", "veth", "peer", "name", "stale-peer")
    out = rt.md("start", "-a", cid, check=True).stdout
    assert "eth0@" in out and ",UP,LOWER_UP" in out, out
    assert "stale-peer" not in links()


def test_default_network_does_not_resolve_names(rt):
    """As with Docker, only user networks give their containers each other's names."""
    rt.md("run", "-d", "--name", "first", "busybox", "sleep", "1000", check=True)
    hosts = rt.md("run", "--rm", "--name", "second", "busybox", "cat", "/etc/hosts",
                  check=True).stdout
    assert "second" in hosts_names(hosts) and "first" not in hosts_names(hosts), hosts
    assert "second" not in hosts_names(rt.md("exec", "first", "cat", "/etc/hosts",
                                             check=True).stdout)
    # The address still answers.
    ip = container_ip(rt, "first")
    rt.md("run", "--rm", "busybox", "ping", "-c", "1", "-W", "3", ip, check=True)


def test_stats_counts_network_traffic(rt):
    rt.md("run", "-d", "--name", "a", "busybox", "sleep", "1000", check=True)
    ip = container_ip(rt, "a")
    before = json.loads(rt.md("stats", "--no-stream", "--format", "json", "a",
                              check=True).stdout)
    rt.md("run", "--rm", "busybox", "ping", "-c", "3", "-s", "1000", ip, check=True)
    after = json.loads(rt.md("stats", "--no-stream", "--format", "json", "a", check=True).stdout)
    # Three 1028-byte echo requests in, three replies out, on its eth0 (lo is not counted).
    assert after["NetRxBytes"] - before["NetRxBytes"] >= 3 * 1028, (before, after)
    assert after["NetTxBytes"] - before["NetTxBytes"] >= 3 * 1028, (before, after)
    rx, _, tx = after["NetIO"].partition(" / ")
    assert rx.endswith("kB") and tx.endswith("kB"), after["NetIO"]
    none = rt.md("run", "-d", "--network", "none", "busybox", "sleep", "1000", check=True)
    rt.track(none.stdout)
    quiet = json.loads(rt.md("stats", "--no-stream", "--format", "json", none.stdout.strip(),
                             check=True).stdout)
    assert quiet["NetRxBytes"] == 0 and quiet["NetIO"] == "0B / 0B"


def test_container_mode_shares_the_namespace(rt):
    rt.md("run", "-d", "--name", "a", "--network", "bridge", "busybox", "sleep", "1000",
          check=True)
    ip = container_ip(rt, "a")
    out = rt.md("run", "--rm", "--network", "container:a", "busybox", "ip", "addr",
                check=True).stdout
    assert f"inet {ip}/" in out


def test_fifty_concurrent_runs_get_fifty_addresses(rt):
    rt.md("network", "create", "--subnet", "10.205.0.0/24", "many", check=True)
    results = [None] * 50

    def run(i):
        results[i] = rt.md("run", "-d", "--network", "many", "busybox", "true", timeout=120)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(50)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert all(r.returncode == 0 for r in results), [r.stderr for r in results if r.returncode]
    ips = []
    for cid in rt.container_dirs():
        ips.append(recorded_ip(rt, cid))
    assert len(ips) == 50 and len(set(ips)) == 50
    users = json.loads(rt.md("network", "inspect", "many", check=True).stdout)[0]["Containers"]
    assert len(users) == 50


def test_killed_monitor_then_rm_releases_address_and_rules(rt, mydocker_bin):
    cid = rt.md("run", "-d", "--name", "k", "-p", "8082:80", "busybox", "sleep", "1000",
                check=True).stdout.strip()
    ip = recorded_ip(rt, cid)
    ips_dir = Path(rt.root) / "networks" / "bridge.ips"
    assert (ips_dir / ip).exists()
    assert f"mydocker-c-{cid[:12]}" in nft_tables(mydocker_bin)
    monitors = [pid for pid, cmd in processes_mentioning(cid) if "__monitor" in cmd]
    assert len(monitors) == 1
    os.kill(monitors[0], 9)
    wait_for(lambda: rt.inspect("k")["State"] != "running", what="container seen stopped")
    rt.md("rm", "k", check=True)
    assert not (ips_dir / ip).exists()
    assert not (Path(rt.root) / "networks" / "ports" / "tcp-8082").exists()
    assert f"mydocker-c-{cid[:12]}" not in nft_tables(mydocker_bin)
    assert f"veth{cid[:11]}" not in links()


def test_start_after_a_killed_monitor_replaces_what_it_left(rt, mydocker_bin):
    """A monitor killed with SIGKILL leaves its port table; the next start replaces it (the
    script deletes the old table first) and the port answers again."""
    serve_http(rt, "web", "-p", "8084:80")
    cid = rt.md("inspect", "-f", "{{.Id}}", "web", check=True).stdout.strip()
    assert wait_for(lambda: http_get("http://127.0.0.1:8084/")) == "hello\n"
    monitors = [pid for pid, cmd in processes_mentioning(cid) if "__monitor" in cmd]
    os.kill(monitors[0], 9)
    wait_for(lambda: rt.inspect("web")["State"] != "running", what="container seen stopped")
    assert f"mydocker-c-{cid[:12]}" in nft_tables(mydocker_bin)
    rt.md("start", "web", check=True)
    assert wait_for(lambda: http_get("http://127.0.0.1:8084/")) == "hello\n"
    assert nft_tables(mydocker_bin).count(f"mydocker-c-{cid[:12]}") == 1


@pytest.mark.parametrize("args,message", [
    (["-p", "70000:80"], "invalid port"),
    (["-p", "80/sctp"], "invalid protocol"),
    (["--network", "bridge", "--ip", "10.9.9.9"], "is not a free host address"),
    (["--ip", "10.200.0.300"], "invalid IP address"),
    (["--network", "nosuch"], "network nosuch not found"),
    (["--network", "none", "-p", "80"], "conflicting options"),
    (["--mac-address", "zz:00:00:00:00:00"], "invalid MAC address"),
])
def test_bad_run_input_is_one_line_and_creates_nothing(rt, args, message):
    out = rt.md("run", *args, "busybox", "true")
    assert out.returncode == 125
    assert message in out.stderr and out.stderr.count("\n") == 1, out.stderr
    assert rt.container_dirs() == []


def test_taken_address_and_port_are_refused(rt):
    rt.md("run", "-d", "--name", "one", "--ip", "10.200.0.77", "-p", "8083:80", "busybox",
          "sleep", "1000", check=True)
    for args, message in ((["--ip", "10.200.0.77"], "already in use"),
                          (["-p", "8083:80"], "host port 8083/tcp is already in use")):
        out = rt.md("run", "--name", "two", *args, "busybox", "true")
        assert out.returncode == 125 and message in out.stderr, out.stderr
    assert len(rt.container_dirs()) == 1


def test_network_commands_and_bad_subnets(rt):
    created = rt.md("network", "create", "--subnet", "10.206.0.0/24", "--label", "a=b", "n1",
                    check=True)
    assert len(created.stdout.strip()) == 64
    for args, message in ((["--subnet", "10.206.0.0/16", "n2"], "overlaps network n1"),
                          (["--subnet", "10.99.0.0/24", "n2"], "collides with the host's route"),
                          (["--subnet", "10.207.0.1/24", "n2"], "host bits are set"),
                          (["--subnet", "nonsense", "n2"], "invalid subnet"),
                          (["n1"], "already exists")):
        out = rt.md("network", "create", *args)
        assert out.returncode != 0 and message in out.stderr, out.stderr
    ls = rt.md("network", "ls", check=True).stdout
    assert "n1" in ls and "bridge" in ls and "n2" not in ls
    info = json.loads(rt.md("network", "inspect", "n1", check=True).stdout)[0]
    assert info["Subnet"] == "10.206.0.0/24" and info["Labels"] == {"a": "b"}
    rt.md("run", "-d", "--name", "user", "--network", "n1", "busybox", "sleep", "1000",
          check=True)
    busy = rt.md("network", "rm", "n1")
    assert busy.returncode != 0 and "in use" in busy.stderr
    rt.md("rm", "-f", "user", check=True)
    rt.md("network", "rm", "n1", check=True)
    assert "n1" not in rt.md("network", "ls", check=True).stdout
    assert not [l for l in links() if l.startswith("md-")]


def interfaces(rt, name):
    out = rt.md("exec", name, "ip", "-o", "-4", "addr", check=True).stdout
    return {line.split()[1]: line.split()[3] for line in out.splitlines()}


def test_connect_and_disconnect_a_running_container(rt):
    rt.md("network", "create", "--subnet", "10.208.0.0/24", "front", check=True)
    rt.md("network", "create", "--subnet", "10.209.0.0/24", "back", check=True)
    serve_http(rt, "db", "--network", "back")
    rt.md("run", "-d", "--name", "app", "--network", "front", "busybox", "sleep", "1000",
          check=True)
    # Not connected yet: the other network is unreachable, and the name unknown.
    assert "hello" not in rt.md("exec", "app", "sh", "-c",
                                "printf 'GET / HTTP/1.0\\r\\n\\r\\n' | nc -w 2 db 80").stdout
    rt.md("network", "connect", "--ip", "10.209.0.50", "--alias", "api", "back", "app",
          check=True)
    addrs = interfaces(rt, "app")
    assert addrs["eth0"].startswith("10.208.0.") and addrs["eth1"] == "10.209.0.50/24", addrs
    # Its new peer by name, and it by its alias from that peer's side.
    out = rt.md("exec", "app", "sh", "-c", "printf 'GET / HTTP/1.0\\r\\n\\r\\n' | nc -w 3 db 80")
    assert out.stdout.endswith("hello\n"), out.stdout + out.stderr
    assert "api" in rt.md("exec", "db", "cat", "/etc/hosts", check=True).stdout
    # Only the first network gives the default route.
    routes = rt.md("exec", "app", "ip", "route", check=True).stdout
    assert "default via 10.208.0.1 dev eth0" in routes and routes.count("default") == 1
    info = json.loads(rt.md("inspect", "app", check=True).stdout)[0]["NetworkSettings"]
    assert info["Networks"]["back"]["IPAddress"] == "10.209.0.50"
    assert rt.inspect("app")["Networks"] == "front,back"
    assert sorted(json.loads(rt.md("network", "inspect", "back", check=True).stdout)[0]
                  ["Containers"]) == sorted([rt.inspect("app")["ID"], rt.inspect("db")["ID"]])
    again = rt.md("network", "connect", "back", "app")
    assert again.returncode == 1 and "endpoint with name app already exists in network back" \
        in again.stderr, again.stderr
    taken = rt.md("network", "connect", "--ip", "10.209.0.50", "front", "db")
    assert taken.returncode == 1 and "10.209.0.50" in taken.stderr, taken.stderr
    rt.md("network", "disconnect", "back", "app", check=True)
    assert "eth1" not in interfaces(rt, "app")
    # Whole names: "db" could be part of a hexadecimal container id.
    assert "api" not in hosts_names(rt.md("exec", "db", "cat", "/etc/hosts", check=True).stdout)
    assert "db" not in hosts_names(rt.md("exec", "app", "cat", "/etc/hosts", check=True).stdout)
    assert not [l for l in links() if l.startswith("veth") and "n1" in l]
    info = json.loads(rt.md("network", "inspect", "back", check=True).stdout)[0]
    assert info["Containers"] == [rt.inspect("db")["ID"]]
    gone = rt.md("network", "disconnect", "back", "app")
    assert gone.returncode == 1 and "is not connected to network back" in gone.stderr
    # The address went back: another container can take it.
    rt.md("network", "connect", "--ip", "10.209.0.50", "back", "app", check=True)


def test_connect_a_stopped_container_takes_effect_at_start(rt):
    rt.md("network", "create", "--subnet", "10.210.0.0/24", "later", check=True)
    first = rt.md("run", "--name", "c", "--network", "none", "busybox", "ip", "-o", "-4", "addr",
                  check=True).stdout
    assert "eth0" not in first  # lo only; now stopped
    rt.md("network", "connect", "later", "c", check=True)
    out = rt.md("start", "-a", "c", check=True).stdout
    assert "eth0" in out and "10.210.0." in out, out
    # A container that only had lo gets eth0 and the network's default route.
    rt.md("run", "-d", "--name", "s", "--network", "none", "busybox", "sleep", "1000",
          check=True)
    rt.md("network", "connect", "later", "s", check=True)
    assert interfaces(rt, "s")["eth0"].startswith("10.210.0.")
    assert "default via 10.210.0.1" in rt.md("exec", "s", "ip", "route", check=True).stdout
    # Removal gives everything back.
    rt.md("rm", "-f", "s", "c", check=True)
    assert json.loads(rt.md("network", "inspect", "later", check=True).stdout)[0][
        "Containers"] == []


@pytest.mark.parametrize("mode,message", [
    ("host", "cannot be disconnected from host network or connected to host network"),
    ("container:base", "sharing network namespace with another container"),
])
def test_connect_refused_without_an_own_namespace(rt, mode, message):
    rt.md("run", "-d", "--name", "base", "--network", "bridge", "busybox", "sleep", "1000",
          check=True)
    rt.md("run", "-d", "--name", "c", "--network", mode, "busybox", "sleep", "1000", check=True)
    out = rt.md("network", "connect", "bridge", "c")
    assert out.returncode == 1 and message in out.stderr, out.stderr
    missing = rt.md("network", "connect", "nosuch", "base")
    assert missing.returncode == 1 and "network nosuch not found" in missing.stderr
