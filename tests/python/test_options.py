"""The container options of #18 through Python's run()/create() keywords (1.7): each shown by
inspect(), and each bad value an InvalidArgument with nothing created."""

import pytest

import pymydocker


def test_labels_dict_and_list(rt):
    c = rt.containers.create("busybox", "true", labels={"tier": "web", "empty": ""})
    try:
        assert c.inspect()["Config"]["Labels"] == {"tier": "web", "empty": ""}
    finally:
        c.remove()
    c = rt.containers.create("busybox", "true", labels=["a=1", "bare", "a=2"])
    try:
        assert c.inspect()["Config"]["Labels"] == {"a": "2", "bare": ""}
    finally:
        c.remove()
    with pytest.raises(pymydocker.InvalidArgument, match="invalid label '=x': empty name"):
        rt.containers.create("busybox", "true", labels=["=x"])
    with pytest.raises(TypeError):
        rt.containers.create("busybox", "true", labels="a=1")
    assert rt.containers.list(all=True) == []
