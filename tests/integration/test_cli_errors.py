"""Command-line errors as Docker reports them (#17): unknown commands and flags are refused with
one line, a pointer to the help and status 125, before anything is created; -flag=value forms;
help pages start with Docker's usage line."""

import json

import pytest


def refused(runtime, args, stderr):
    """`mydocker ARGS` exits 125 with exactly `stderr`, prints nothing else, creates nothing."""
    r = runtime.md(*args)
    assert (r.returncode, r.stderr, r.stdout) == (125, stderr, "")
    assert runtime.ps() == []


@pytest.mark.parametrize("args,flag", [
    (["run", "--foo", "busybox"], "--foo"),
    # A --flag=value form of a flag mydocker does not have (--restart was this example until
    # restart policies came, #17; --log-driver until log drivers came, #21).
    (["run", "-d", "--link=web:db", "busybox", "true"], "--link"),
    # (--health-cmd was this example until health checks came, #17; --ulimit until #18.)
    (["run", "--isolation", "default", "busybox", "true"], "--isolation"),
])
def test_run_unknown_flag(runtime, args, flag):
    refused(runtime, args, f"unknown flag: {flag}\nSee 'mydocker run --help'.\n")


def test_run_unknown_shorthand_flag(runtime):
    refused(runtime, ["run", "-itz", "busybox"],
            "unknown shorthand flag: 'z' in -itz\nSee 'mydocker run --help'.\n")


def test_exec_unknown_flag(runtime):
    refused(runtime, ["exec", "--privileged", "c", "ls"],
            "unknown flag: --privileged\nSee 'mydocker exec --help'.\n")


def test_unknown_flag_after_a_positional_of_other_commands(runtime):
    refused(runtime, ["stop", "c", "--foo"], "unknown flag: --foo\nSee 'mydocker stop --help'.\n")
    refused(runtime, ["image", "ls", "--foo"],
            "unknown flag: --foo\nSee 'mydocker image ls --help'.\n")


def test_flags_after_the_image_belong_to_the_command(runtime):
    r = runtime.md("run", "--rm", "busybox", "echo", "-la", "--foo", "-name", "--rm", check=True)
    assert r.stdout == "-la --foo -name --rm\n"
    r = runtime.md("run", "--rm", "busybox", "ls", "-la", "/", check=True)
    assert " bin" in r.stdout
    assert runtime.ps() == []


@pytest.mark.parametrize("command,stderr", [
    ("pss", "mydocker: 'pss' is not a mydocker command.\nDid you mean this?\n\tps\n"
            "See 'mydocker --help'\n"),
    ("frobnicate", "mydocker: 'frobnicate' is not a mydocker command.\nSee 'mydocker --help'\n"),
])
def test_unknown_command(runtime, command, stderr):
    refused(runtime, [command, "a", "b"], stderr)
    refused(runtime, [command], stderr)


def test_no_command_prints_the_usage(runtime):
    r = runtime.md()
    assert r.returncode == 0 and r.stderr == ""
    assert r.stdout.startswith("Usage:  mydocker [OPTIONS] COMMAND\n")
    assert "\n  run " in r.stdout


def test_tutorial_flags_with_equals(runtime):
    runtime.md("run", "-name=eq", "-mem=50m", "-cpuset=0", "-cpu=512", "busybox", "true",
               check=True)
    host = json.loads(runtime.md("inspect", "eq", check=True).stdout)[0]["HostConfig"]
    assert (host["Memory"], host["CpusetCpus"], host["CpuShares"]) == (50 << 20, "0", 512)
    runtime.md("run", "-name", "sp", "-mem", "40m", "busybox", "true", check=True)
    host = json.loads(runtime.md("inspect", "sp", check=True).stdout)[0]["HostConfig"]
    assert host["Memory"] == 40 << 20


def test_short_flag_with_equals(runtime):
    runtime.md("run", "-m=20m", "--name", "short", "busybox", "true", check=True)
    host = json.loads(runtime.md("inspect", "short", check=True).stdout)[0]["HostConfig"]
    assert host["Memory"] == 20 << 20


def test_empty_name_means_a_random_name(runtime):
    r = runtime.md("run", "--name=", "busybox", "echo", "hi", check=True)
    assert r.stdout == "hi\n"
    [entry] = runtime.ps()
    assert entry["Names"] and entry["Image"] == "busybox"


@pytest.mark.parametrize("command,usage", [
    (["run"], "Usage:  mydocker run [OPTIONS] IMAGE [COMMAND] [ARG...]"),
    (["exec"], "Usage:  mydocker exec [OPTIONS] CONTAINER COMMAND [ARG...]"),
    (["stop"], "Usage:  mydocker stop [OPTIONS] CONTAINER [CONTAINER...]"),
    (["image"], "Usage:  mydocker image COMMAND"),
    (["image", "ls"], "Usage:  mydocker image ls [OPTIONS] [REFERENCE]"),
])
def test_help_usage_line(runtime, command, usage):
    r = runtime.md(*command, "--help", check=True)
    assert r.stdout.splitlines()[0] == usage
