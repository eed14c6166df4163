"""Networks from Python (issue #14): runtime.networks, run(network=..., ports=...),
Container.connect()/disconnect(), and network traffic in stats().

The module runs in a network namespace of its own (made by the `private_network` fixture), so
bridges, veth pairs, addresses and nftables tables never touch the host's."""

import ctypes
import os
import subprocess

import pytest

import pymydocker
from conftest import http_get, wait_for

CLONE_NEWNET = 0x40000000
_libc = ctypes.CDLL(None, use_errno=True)


@pytest.fixture(scope="module", autouse=True)
def private_network():
    if os.geteuid() != 0:
        yield
        return
    own = os.open("/proc/thread-self/ns/net", os.O_RDONLY)
    if _libc.unshare(CLONE_NEWNET) != 0:
        raise OSError(ctypes.get_errno(), "unshare(CLONE_NEWNET)")
    try:
        subprocess.run(["ip", "link", "set", "lo", "up"], check=True, capture_output=True)
        yield
    finally:
        assert _libc.setns(own, CLONE_NEWNET) == 0
        os.close(own)


def test_network_create_list_get_remove(rt):
    info = rt.networks.create("pynet", subnet="10.220.0.0/24", labels={"team": "py"})
    assert info["Name"] == "pynet" and info["Subnet"] == "10.220.0.0/24"
    assert info["Gateway"] == "10.220.0.1" and info["Labels"] == {"team": "py"}
    assert "pynet" in [n["Name"] for n in rt.networks.list()]
    assert rt.networks.get(info["Id"][:12])["Name"] == "pynet"
    with pytest.raises(pymydocker.Conflict, match="overlaps network pynet"):
        rt.networks.create("other", subnet="10.220.0.128/25")
    with pytest.raises(pymydocker.NotFound):
        rt.networks.get("nosuch")
    rt.networks.remove("pynet")
    assert "pynet" not in [n["Name"] for n in rt.networks.list()]


def test_run_with_a_published_port_connect_and_stats(rt):
    rt.networks.create("pyweb", subnet="10.221.0.0/24")
    web = rt.run("busybox", ["sh", "-c", "mkdir /www && echo hi > /www/index.html && "
                             "exec httpd -f -p 80 -h /www"],
                 name="web", network="pyweb", ports={"80/tcp": 18080}, detach=True)
    assert web.networks == ["pyweb"]
    assert wait_for(lambda: http_get("http://127.0.0.1:18080/"), what="published port") == "hi\n"
    settings = web.inspect()["NetworkSettings"]
    assert settings["Ports"]["80/tcp"] == [{"HostIp": "0.0.0.0", "HostPort": "18080"}]
    assert web.ports == {"80/tcp": [{"HostIp": "0.0.0.0", "HostPort": "18080"}]}  # `port`
    assert settings["IPAddress"].startswith("10.221.0.")
    assert web.stats().net_tx_bytes > 0 and web.stats().net_rx_bytes > 0

    lone = rt.run("busybox", ["sleep", "100"], name="lone", detach=True)  # lo only by default
    assert lone.networks == [] and lone.stats().net_rx_bytes == 0
    assert lone.ports == {}
    lone.connect("pyweb", ip="10.221.0.77", aliases=["alone"])
    assert lone.networks == ["pyweb"]
    code, output = lone.exec(["wget", "-q", "-O", "-", f"http://{settings['IPAddress']}/"])
    assert code == 0 and output == b"hi\n"
    assert lone.id in rt.networks.get("pyweb")["Containers"]
    with pytest.raises(pymydocker.Conflict):
        lone.connect("pyweb")
    lone.disconnect("pyweb")
    assert lone.networks == []
    with pytest.raises(pymydocker.Conflict):
        rt.networks.remove("pyweb")
    web.remove(force=True)
    lone.remove(force=True)
    assert rt.networks.prune() == ["pyweb"]


def test_bad_network_options_create_nothing(rt):
    with pytest.raises(pymydocker.InvalidArgument):
        rt.run("busybox", ["true"], ports={"80/tcp": 70000})
    with pytest.raises(pymydocker.NotFound):
        rt.run("busybox", ["true"], network="nosuchnet")
    assert rt.containers.list(all=True) == []
