"""`mydocker events` (issue #18, docs/events.md): events written by the processes that cause
them (client and monitor) into the state root's journal, read back with --since/--until, with
Docker's filters and formats, and followed as they happen."""

import json
import subprocess
import threading
import time

from conftest import wait_for


def events(runtime, *args, since="0"):
    """The events recorded so far (from `since` to now), as parsed JSON."""
    until = f"{time.time():.9f}"
    r = runtime.md("events", "--since", since, "--until", until, "--format", "json", *args,
                   check=True)
    return [json.loads(line) for line in r.stdout.splitlines()]


def actions(evs, type_="container"):
    return [e["Action"] for e in evs if e["Type"] == type_]


def test_a_run_stop_rm_sequence_in_order(runtime):
    # As PID 1 the shell acts on SIGTERM only through its trap.
    cid = runtime.md("run", "-d", "--name", "web", "--label", "tier=front", "busybox", "sh", "-c",
                     "trap 'exit 3' TERM; while :; do sleep 1; done", check=True).stdout.strip()
    runtime.md("stop", "-t", "30", "web", check=True)
    runtime.md("rm", "web", check=True)
    evs = [e for e in events(runtime) if e["Type"] == "container"]
    assert [e["Action"] for e in evs] == ["create", "start", "kill", "die", "stop", "destroy"]
    for e in evs:
        assert e["id"] == cid and e["Actor"]["ID"] == cid and e["from"] == "busybox"
        assert e["Actor"]["Attributes"]["name"] == "web"
        assert e["Actor"]["Attributes"]["image"] == "busybox"
        assert e["Actor"]["Attributes"]["tier"] == "front"  # labels, as Docker's
        assert e["scope"] == "local" and e["time"] == e["timeNano"] // 10**9
    assert evs[2]["Actor"]["Attributes"]["signal"] == "15"
    assert evs[3]["Actor"]["Attributes"]["exitCode"] == "3"
    times = [e["timeNano"] for e in evs]
    assert times == sorted(times)
    # Docker's default line: time, type, action, id, attributes.
    until = f"{time.time():.9f}"
    lines = runtime.md("events", "--since", "0", "--until", until, "--filter", "event=die",
                       check=True).stdout.splitlines()
    assert len(lines) == 1
    assert lines[0].endswith(f" container die {cid} (exitCode=3, image=busybox, name=web, tier=front)")


def test_filters_and_template_format(runtime):
    # Names that cannot start an id: the container filter also takes id prefixes.
    runtime.md("run", "--name", "xa", "busybox", "true", check=True)
    runtime.md("run", "--name", "xb", "--label", "x=1", "busybox", "sh", "-c", "exit 2",
               check=False)
    runtime.md("volume", "create", "v1", check=True)
    runtime.md("volume", "rm", "v1", check=True)
    assert actions(events(runtime, "--filter", "container=xa")) == ["create", "start", "die"]
    assert [e["Actor"]["Attributes"]["name"]
            for e in events(runtime, "--filter", "event=die")] == ["xa", "xb"]
    assert [e["Actor"]["Attributes"]["exitCode"]
            for e in events(runtime, "--filter", "event=die", "--filter", "label=x=1")] == ["2"]
    assert actions(events(runtime, "--filter", "type=volume"), "volume") == ["create", "destroy"]
    assert events(runtime, "--filter", "type=volume", "--filter", "event=start") == []
    # Values of one key are alternatives.
    got = events(runtime, "--filter", "event=create", "--filter", "event=destroy")
    assert [(e["Type"], e["Action"]) for e in got] == [
        ("container", "create"), ("container", "create"), ("volume", "create"),
        ("volume", "destroy")]
    assert len(events(runtime, "--filter", "image=busybox")) == 6
    until = f"{time.time():.9f}"
    out = runtime.md("events", "--since", "0", "--until", until, "--filter", "type=container",
                     "--format", "{{.Type}}/{{.Action}}/{{.Actor.Attributes.name}}",
                     check=True).stdout.split()
    assert out[:3] == ["container/create/xa", "container/start/xa", "container/die/xa"]
    r = runtime.md("events", "--until", until, "--filter", "colour=red")
    assert r.returncode == 1 and r.stderr.strip() == "mydocker: invalid filter 'colour'"
    r = runtime.md("events", "--until", until, "--format", "{{.Nope")
    assert r.returncode == 1 and "template parsing error" in r.stderr
    r = runtime.md("events", "--since", "yesterday-ish")
    assert r.returncode == 1 and "--since" in r.stderr


def test_since_and_until_select_a_window(runtime):
    runtime.md("run", "--name", "early", "busybox", "true", check=True)
    middle = time.time()
    runtime.md("run", "--name", "late", "busybox", "true", check=True)
    # Each run also connects to and disconnects from the default bridge network.
    names = {(e["Type"], e["Actor"]["Attributes"]["name"])
             for e in events(runtime, since=f"{middle:.9f}")}
    assert names == {("container", "late"), ("network", "bridge")}
    r = runtime.md("events", "--since", "0", "--until", f"{middle:.9f}", "--format", "json",
                   check=True)
    assert {(json.loads(line)["Type"], json.loads(line)["Actor"]["Attributes"]["name"])
            for line in r.stdout.splitlines()} == {("container", "early"), ("network", "bridge")}


def test_other_objects_and_operations(runtime):
    runtime.md("run", "-d", "--name", "box", "--label", "tier=back", "busybox", "sleep", "300",
               check=True)
    runtime.md("pause", "box", check=True)
    runtime.md("unpause", "box", check=True)
    runtime.md("exec", "box", "true", check=True)
    runtime.md("kill", "box", check=True)
    runtime.md("wait", "box", check=True)  # its monitor writes die
    runtime.md("commit", "box", "snap:v1", check=True)
    runtime.md("tag", "snap:v1", "snap:v2", check=True)
    runtime.md("rmi", "snap:v1", check=True)
    runtime.md("rmi", "snap:v2", check=True)
    runtime.md("network", "create", "evnet", check=True)
    runtime.md("network", "connect", "evnet", "box", check=True)
    runtime.md("network", "disconnect", "evnet", "box", check=True)
    runtime.md("network", "rm", "evnet", check=True)
    evs = events(runtime)
    assert actions(evs) == ["create", "start", "pause", "unpause", "exec_create: true",
                            "exec_start: true", "kill", "die", "commit"]
    kill = next(e for e in evs if e["Action"] == "kill")
    assert kill["Actor"]["Attributes"]["signal"] == "9"
    # The container's labels on every event of it, an exec's included (as Docker's).
    assert all(e["Actor"]["Attributes"]["tier"] == "back" for e in evs if e["Type"] == "container")
    image = [(e["Action"], e["Actor"]["Attributes"]["name"]) for e in evs if e["Type"] == "image"]
    assert image[:3] == [("tag", "snap:v2"), ("untag", "snap:v1"), ("untag", "snap:v2")]
    assert image[3][0] == "delete"
    # box's start and end on the default bridge network, then evnet's own.
    assert actions(evs, "network") == ["connect", "disconnect", "create", "connect", "disconnect",
                                       "destroy"]
    assert actions(events(runtime, "--filter", "event=exec_start")) == ["exec_start: true"]


def test_events_follows_new_events_until_interrupted(runtime):
    proc = runtime.popen("events", "--format", "{{.Action}} {{.Actor.Attributes.name}}")
    seen = []

    def read():
        for line in proc.stdout:
            seen.append(line.strip())

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    # Events written before the follower started are not shown without --since: run until the
    # follower has seen one (it may have started after the first containers).
    n = 0
    while not seen:
        n += 1
        runtime.md("run", "--rm", "--name", f"f{n}", "busybox", "true", check=True)
        wait_for(lambda: seen or proc.poll() is not None, timeout=10, what="a followed event")
    runtime.md("run", "--rm", "--name", "last", "busybox", "true", check=True)
    wait_for(lambda: "destroy last" in seen, what="the last container's destroy")
    assert seen[-6:] == ["create last", "connect bridge", "start last", "die last",
                         "disconnect bridge", "destroy last"]
    proc.terminate()
    assert proc.wait(timeout=10) == -15


def test_concurrent_writers_keep_every_event_whole(runtime):
    procs = [subprocess.Popen(runtime.cmd("run", "--rm", "--name", f"c{i}", "busybox", "true"),
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
             for i in range(8)]
    for p in procs:
        assert p.wait(timeout=60) == 0, p.stderr.read()
    evs = events(runtime, "--filter", "type=container")
    for i in range(8):
        mine = [e["Action"] for e in evs if e["Actor"]["Attributes"]["name"] == f"c{i}"]
        assert mine == ["create", "start", "die", "destroy"], (i, mine)


def test_rm_force_of_a_running_container_writes_kill(runtime):
    cid = runtime.md("run", "-d", "--name", "doomed", "busybox", "sleep", "300",
                     check=True).stdout.strip()
    runtime.md("rm", "-f", "doomed", check=True)
    evs = [e for e in events(runtime) if e["Type"] == "container" and e["id"] == cid]
    assert [e["Action"] for e in evs] == ["create", "start", "kill", "die", "destroy"]
    assert evs[2]["Actor"]["Attributes"]["signal"] == "9"


def test_start_and_end_connect_and_disconnect_the_networks(runtime):
    runtime.md("network", "create", "evnet2", check=True)
    net_id = json.loads(runtime.md("network", "inspect", "evnet2", check=True).stdout)[0]["Id"]
    runtime.md("run", "--name", "netted", "--network", "evnet2", "busybox", "true", check=True)
    cid = runtime.ps()[0]["ID"]
    runtime.md("rm", "netted", check=True)
    runtime.md("network", "rm", "evnet2", check=True)
    evs = events(runtime)
    ordered = [(e["Type"], e["Action"]) for e in evs
               if e["Type"] == "network" or e["Action"] in ("start", "die")]
    assert ordered == [("network", "create"), ("network", "connect"), ("container", "start"),
                       ("container", "die"), ("network", "disconnect"), ("network", "destroy")]
    for e in evs:
        if e["Type"] == "network" and e["Action"] in ("connect", "disconnect"):
            assert e["Actor"]["ID"] == net_id
            assert e["Actor"]["Attributes"]["name"] == "evnet2"
            assert e["Actor"]["Attributes"]["type"] == "bridge"
            assert e["Actor"]["Attributes"]["container"] == cid
