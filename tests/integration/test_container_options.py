"""Container options of #18 through the CLI: labels (--label, --label-file, the image's LABELs),
shown by inspect and kept by commit; each bad value refused before anything is created."""

import json

from conftest import assert_refused_before_anything_is_created


def inspect(runtime, name):
    r = runtime.md("inspect", name, check=True)
    return json.loads(r.stdout)[0]


def test_labels_from_flags_and_file_merge_over_the_images(runtime, tmp_path):
    # An image with labels: a commit whose --change adds them.
    runtime.md("create", "--name", "base", "busybox", "true", check=True)
    runtime.md("commit", "--change", "LABEL tier=base maintainer=me", "base", "labelled",
               check=True)
    label_file = tmp_path / "labels"
    label_file.write_text("# comment\n\nfrom.file=1\ntier=file\nbare\n")
    runtime.md("create", "--name", "c", "--label-file", label_file, "-l", "tier=flag",
               "--label", "x=a=b", "labelled", "true", check=True)
    labels = inspect(runtime, "c")["Config"]["Labels"]
    assert labels == {"maintainer": "me", "tier": "flag", "from.file": "1", "bare": "",
                      "x": "a=b"}
    # Docker's commit records the container's labels (the image's and its own) in the image.
    runtime.md("commit", "c", "relabelled", check=True)
    image = json.loads(runtime.md("image", "inspect", "relabelled", check=True).stdout)[0]
    assert image["Config"]["Labels"] == labels
    runtime.md("rm", "base", "c", check=True)


def test_container_without_labels_shows_an_empty_object(runtime):
    runtime.md("create", "--name", "plain", "busybox", "true", check=True)
    assert inspect(runtime, "plain")["Config"]["Labels"] == {}
    runtime.md("rm", "plain", check=True)


def test_bad_labels_are_refused_before_anything_is_created(runtime, tmp_path):
    assert_refused_before_anything_is_created(runtime, ["-l", "=v"],
                                              "invalid label '=v': empty name")
    bad = tmp_path / "bad-labels"
    bad.write_text("ok=1\n=nokey\n")
    assert_refused_before_anything_is_created(runtime, ["--label-file", bad],
                                              f"{bad}:2: invalid label '=nokey': empty name")
    assert_refused_before_anything_is_created(runtime, ["--label-file", tmp_path / "missing"],
                                              "missing")
