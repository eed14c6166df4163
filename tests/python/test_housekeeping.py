"""Housekeeping through pymydocker as docker-py spells it: prune(filters=) of containers,
images and networks, Runtime.prune() (`system prune`), Runtime.df(), Runtime.events(), and
volume labels and filters."""

import threading
import time

import pytest

import pymydocker


def _stopped(rt, labels):
    c = rt.run("busybox", "true", labels=labels, detach=True)
    assert c.wait() == 0
    return c.id


def test_volume_labels_and_filters(rt):
    vol = rt.volumes.create("pylabelled", labels={"team": "db", "tier": ""})
    assert vol["Labels"] == {"team": "db", "tier": ""}
    # An existing volume keeps its labels, as in Docker.
    assert rt.volumes.create("pylabelled", labels={"team": "web"})["Labels"]["team"] == "db"
    rt.volumes.create("pyplain")
    assert [v["Name"] for v in rt.volumes.list(filters={"label": "team=db"})] == ["pylabelled"]
    assert [v["Name"] for v in rt.volumes.list(filters=["label=tier"])] == ["pylabelled"]
    assert rt.volumes.list(filters={"label": ["team=db", "tier=x"]}) == []
    assert {v["Name"] for v in rt.volumes.list(filters={"dangling": True})} == {
        "pylabelled", "pyplain"}
    assert len(rt.volumes.list()) == 2
    with pytest.raises(pymydocker.InvalidArgument, match="invalid filter 'size'"):
        rt.volumes.list(filters={"size": "1"})
    with pytest.raises(pymydocker.InvalidArgument, match="invalid filter 'dangling=maybe'"):
        rt.volumes.list(filters={"dangling": "maybe"})
    with pytest.raises(TypeError):
        rt.volumes.list(filters="label=x")
    rt.volumes.remove("pylabelled")
    rt.volumes.remove("pyplain")


def test_prune_and_df(rt):
    kept = _stopped(rt, {"py.prune": "no"})
    pruned = _stopped(rt, {"py.prune": "yes"})
    df = rt.df()
    summary = {row["Type"]: row for row in df["Summary"]}
    assert summary["Containers"]["TotalCount"] == 2 and summary["Containers"]["Active"] == 0
    assert summary["Images"]["TotalCount"] == 1 and summary["Images"]["Active"] == 1
    assert summary["Build Cache"]["TotalCount"] == 0
    assert df["LayersSize"] == summary["Images"]["Size"] > 0
    assert {c["Id"] for c in df["Containers"]} == {kept, pruned}
    assert all(c["SizeRw"] >= 0 and c["State"] == "exited" and c["Command"] == "true"
               for c in df["Containers"])
    assert df["Images"][0]["RepoTags"] == ["busybox:latest"] and df["Images"][0]["Containers"] == 2
    assert df["BuildCache"] == [] and df["Volumes"] == []
    assert set(rt.df(verbose=False)) == {"LayersSize", "Summary"}

    with pytest.raises(pymydocker.InvalidArgument, match="invalid filter 'bogus'"):
        rt.containers.prune(filters={"bogus": "1"})
    with pytest.raises(pymydocker.InvalidArgument, match="invalid filter 'until=whenever'"):
        rt.prune(filters={"until": "whenever"})
    with pytest.raises(pymydocker.InvalidArgument, match="invalid filter 'dangling=x'"):
        rt.images.prune(filters={"dangling": "x"})
    assert len(rt.containers.list(all=True)) == 2  # nothing removed by the bad calls

    report = rt.containers.prune(filters={"label": "py.prune=yes"})
    assert report["ContainersDeleted"] == [pruned] and report["SpaceReclaimed"] >= 0
    assert set(report) == {"ContainersDeleted", "SpaceReclaimed"}
    assert [c.id for c in rt.containers.list(all=True)] == [kept]
    # docker-py's -a is dangling=False; a label nothing has keeps busybox.
    assert rt.images.prune(filters={"dangling": False, "label": "py.none"}) == {
        "ImagesDeleted": [], "SpaceReclaimed": 0}
    assert rt.images.prune() == {"ImagesDeleted": [], "SpaceReclaimed": 0}  # busybox is tagged
    assert rt.networks.prune(filters={"label!": "py.keep"}) == []
    report = rt.prune(volumes=True)
    assert report["ContainersDeleted"] == [kept]
    assert report["NetworksDeleted"] == [] and report["VolumesDeleted"] == []
    assert report["ImagesDeleted"] == []
    assert rt.containers.list(all=True) == []
    rt.images.get("busybox")


def test_images_prune_all_removes_an_unused_image(rt):
    rt.images.tag("busybox", "pyextra:1")
    rt.images.remove("busybox")  # the image stays, tagged pyextra:1
    assert rt.images.prune() == {"ImagesDeleted": [], "SpaceReclaimed": 0}
    report = rt.images.prune(all=True)
    assert report["ImagesDeleted"][0] == {"Untagged": "pyextra:1"}
    assert list(report["ImagesDeleted"][1]) == ["Deleted"]
    assert report["SpaceReclaimed"] > 0
    assert rt.images.list() == []


def test_events(rt):
    start = time.time()
    cid = _stopped(rt, {"py.events": "1"})
    rt.containers.get(cid).remove()
    until = time.time()
    events = list(rt.events(since=start, until=until, filters={"container": cid}, decode=True))
    assert [e["Action"] for e in events] == ["create", "start", "die", "destroy"]
    assert all(e["Type"] == "container" and e["Actor"]["ID"] == cid for e in events)
    assert events[0]["Actor"]["Attributes"]["py.events"] == "1"
    raw = list(rt.events(since=start, until=until, filters=["event=die"]))
    assert len(raw) == 1 and isinstance(raw[0], str) and '"Action":"die"' in raw[0]
    assert list(rt.events(since=start, until=until, filters={"type": "image"})) == []
    with pytest.raises(pymydocker.InvalidArgument, match="invalid filter 'type=nope'"):
        rt.events(since=start, until=until, filters={"type": "nope"})
    with pytest.raises(pymydocker.InvalidArgument, match="since"):
        rt.events(since="not a time")


def test_events_follow_sees_new_events_and_closes(rt):
    stream = rt.events(filters={"type": "volume"}, decode=True)
    assert isinstance(stream, pymydocker.EventStream)
    threading.Timer(0.3, lambda: rt.volumes.create("pyfollowed")).start()
    event = next(stream)
    assert event["Action"] == "create" and event["Actor"]["ID"] == "pyfollowed"
    begun = time.monotonic()
    stream.close()
    assert time.monotonic() - begun < 2
    with pytest.raises(StopIteration):
        next(stream)
    # A stream whose until passes ends by itself.
    with rt.events(since=time.time(), until=time.time() + 0.5) as bounded:
        assert list(bounded) == []
    rt.volumes.remove("pyfollowed")
