"""The generated bash completion (build/share/bash-completion/completions/mydocker, made by
mydocker-docgen from the CLI's command tree, docs/packaging.md) run as bash runs it: COMP_WORDS
and COMP_CWORD set, the function `complete -p` names called, COMPREPLY read. Container and image
names come from the state root on the command line (mydocker __complete)."""

import os
import subprocess
from pathlib import Path

import pytest

from conftest import MYDOCKER_BIN


def completion_script():
    share = Path(MYDOCKER_BIN).resolve().parent.parent / "share"
    script = share / "bash-completion" / "completions" / "mydocker"
    assert script.is_file(), f"no generated completion at {script}"
    return script


def complete(words, env=None):
    """COMPREPLY for a command line whose last word is being completed."""
    program = (
        f"source {completion_script()}\n"
        "spec=$(complete -p mydocker)\n"
        "[[ $spec == 'complete -F _mydocker mydocker' ]] || { echo \"bad: $spec\"; exit 3; }\n"
        "COMP_WORDS=(\"$@\"); COMP_CWORD=$(($# - 1))\n"
        "_mydocker\n"
        "printf '%s\\n' \"${COMPREPLY[@]}\"\n")
    r = subprocess.run(["bash", "-c", program, "bash", *words], capture_output=True, text=True,
                       timeout=30, env=env)
    assert r.returncode == 0, r
    return sorted(line for line in r.stdout.splitlines() if line)


def test_commands_subcommands_and_flags(mydocker_bin):
    assert "run" in complete([mydocker_bin, ""])
    assert complete([mydocker_bin, "ru"]) == ["run"]
    assert complete([mydocker_bin, "image", "l"]) == ["list", "load", "ls"]
    assert "--detach" in complete([mydocker_bin, "run", "--de"])
    assert complete([mydocker_bin, "--storage-driver", "f"]) == ["fuse-overlayfs"]
    assert "__complete" not in complete([mydocker_bin, "_"])


def test_container_and_image_names_from_the_state_root(runtime):
    runtime.md("create", "--name", "completion-one", "busybox", "true", check=True)
    runtime.md("create", "--name", "completion-two", "busybox", "true", check=True)
    runtime.md("tag", "busybox", "completion/img:v1", check=True)
    root = ["--root", runtime.root]
    assert complete([runtime.bin, *root, "rm", "completion-"]) == ["completion-one",
                                                                    "completion-two"]
    # rm takes many: still containers after the first; flags in between are skipped.
    assert complete([runtime.bin, *root, "rm", "-f", "completion-one", "completion-t"]) == [
        "completion-two"]
    assert complete([runtime.bin, *root, "start", "-a", "completion-o"]) == ["completion-one"]
    # run IMAGE: an image; then the container's command is files.
    assert complete([runtime.bin, *root, "run", "--rm", "-e", "A=1", "completion/"]) == [
        "completion/img:v1"]
    assert complete([runtime.bin, *root, "image", "rm", "busy"]) == ["busybox:latest"]
    # The root from the environment, as mydocker reads it.
    env = {**os.environ, "MYDOCKER_ROOT": runtime.root}
    assert complete([runtime.bin, "logs", "completion-t"], env=env) == ["completion-two"]
