"""Log drivers (local, the default compact records; json-file; none) and `logs --since/--until`
(issues #18 and #21)."""
import datetime
import json

import pytest

from conftest import LOG_RECORD_MAGIC, assert_refused_before_anything_is_created, read_log


def parse_stamp(stamp):
    """An RFC 3339 time in UTC with up to nine fraction digits, as `logs -t` prints it."""
    assert stamp.endswith("Z"), stamp
    whole, _, fraction = stamp[:-1].partition(".")
    t = datetime.datetime.fromisoformat(whole).replace(tzinfo=datetime.timezone.utc)
    return t + datetime.timedelta(microseconds=int((fraction + "000000")[:6]))


def log_config(runtime, name):
    r = runtime.md("inspect", name, check=True)
    return json.loads(r.stdout)[0]["HostConfig"]["LogConfig"]


def log_path(runtime, name):
    return runtime.container_dir(runtime.inspect(name)["ID"]) / "container.log"


def run(runtime, *args):
    r = runtime.md("run", *args)
    assert r.returncode == 0, r.stderr
    return r


def test_default_log_is_compact_records_one_per_read(runtime):
    """A million 2-byte lines cost one record per read of the output, not a JSON object each."""
    run(runtime, "--name", "many", "busybox", "sh", "-c", "yes | head -c 2000000; echo e >&2")
    assert log_config(runtime, "many") == {"Type": "local", "Config": {}}
    path = log_path(runtime, "many")
    assert path.read_bytes()[0] == LOG_RECORD_MAGIC
    records = read_log(path)
    out = b"".join(r["log"] for r in records if r["stream"] == "stdout")
    assert out == b"y\n" * 1000000
    assert [r["log"] for r in records if r["stream"] == "stderr"] == [b"e\n"]
    # 20 bytes of framing a record; a record holds what one read of the pipe returned.
    assert len(records) < 2000000 // 4096 * 2, len(records)
    assert path.stat().st_size < 2000000 * 1.05
    times = [r["time"] for r in records]
    assert times == sorted(times)
    r = runtime.md("logs", "many", check=True)
    assert r.stdout == "y\n" * 1000000 and r.stderr == "e\n"
    r = runtime.md("logs", "--tail", "3", "many", check=True)
    assert r.stdout == "y\ny\n" and r.stderr == "e\n"


def test_json_file_driver_writes_dockers_json_lines(runtime):
    run(runtime, "--name", "js", "--log-driver", "json-file", "busybox", "sh", "-c",
        "echo one; echo two >&2")
    assert log_config(runtime, "js") == {"Type": "json-file", "Config": {}}
    lines = log_path(runtime, "js").read_text().splitlines()
    entries = [json.loads(line) for line in lines]
    assert sorted((e["stream"], e["log"]) for e in entries) == [("stderr", "two\n"),
                                                               ("stdout", "one\n")]
    r = runtime.md("logs", "js", check=True)
    assert r.stdout == "one\n" and r.stderr == "two\n"


def test_none_driver_keeps_no_log_and_logs_says_so(runtime):
    r = run(runtime, "--name", "quiet", "--log-driver", "none", "busybox", "echo", "hello")
    assert r.stdout == "hello\n"  # attached output still flows
    assert not log_path(runtime, "quiet").exists()
    r = runtime.md("logs", "quiet")
    assert r.returncode == 1
    assert "configured logging driver does not support reading" in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1


@pytest.mark.parametrize("args,message", [
    (["--log-driver", "syslog"], "no log driver named 'syslog'"),
    (["--log-opt", "labels=a"], "unknown log opt 'labels' for local log driver"),
    (["--log-driver", "none", "--log-opt", "max-size=1m"], "unknown log opt 'max-size' for none"),
    (["--log-driver", "json-file", "--log-opt", "nokey"], "invalid log option \"nokey\""),
    (["--log-opt", "max-size=lots"], "invalid value for log opt max-size: \"lots\""),
    (["--log-opt", "max-file=0"], "max-file cannot be less than 1"),
    (["--log-driver", "json-file", "--log-opt", "max-file=3"],
     "max-file can only be set if max-size is set"),
    (["--log-opt", "compress=true"], "compressed rotated logs are not supported"),
])
def test_bad_log_options_are_refused_before_anything_is_made(runtime, args, message):
    for command in ("run", "create"):
        r = runtime.md(command, *args, "busybox", "true")
        assert r.returncode == 125, r.stderr
        assert message in r.stderr
        assert len(r.stderr.strip().splitlines()) == 1, r.stderr
    assert runtime.container_dirs() == []


@pytest.mark.parametrize("driver", ["local", "json-file"])
def test_since_and_until_select_lines_by_time(runtime, driver):
    run(runtime, "--name", "clock", "--log-driver", driver, "busybox", "sh", "-c",
        "echo early; echo early-err >&2; sleep 1.5; echo late; echo late-err >&2")
    r = runtime.md("logs", "-t", "clock", check=True)
    stamps = {}
    for line in r.stdout.splitlines() + r.stderr.splitlines():
        stamp, text = line.split(" ", 1)
        stamps[text] = parse_stamp(stamp)
    assert set(stamps) == {"early", "early-err", "late", "late-err"}
    middle = stamps["early"] + (stamps["late"] - stamps["early"]) / 2
    assert stamps["late"] - stamps["early"] > datetime.timedelta(seconds=1)
    for value in (middle.strftime("%Y-%m-%dT%H:%M:%S.%fZ"), f"{middle.timestamp():.6f}"):
        r = runtime.md("logs", "--since", value, "clock", check=True)
        assert (r.stdout, r.stderr) == ("late\n", "late-err\n"), value
        r = runtime.md("logs", "--until", value, "clock", check=True)
        assert (r.stdout, r.stderr) == ("early\n", "early-err\n"), value
    # A duration counts back from now: everything was written within the last hour.
    r = runtime.md("logs", "--since", "1h", "clock", check=True)
    assert r.stdout == "early\nlate\n"
    assert runtime.md("logs", "--since", "0s", "clock", check=True).stdout == ""
    r = runtime.md("logs", "--since", "yesterday", "clock")
    assert r.returncode == 1 and "--since: invalid value for time \"yesterday\"" in r.stderr


def test_tail_of_interleaved_streams_with_lines_across_reads(runtime):
    """A line whose pieces arrive in several reads, between the other stream's lines, is one
    line; --tail counts lines over both streams."""
    script = ("printf 'AAA'; sleep 0.2; echo e1 >&2; sleep 0.2; printf 'BBB'; sleep 0.2; "
              "echo e2 >&2; sleep 0.2; echo CCC; echo e3 >&2")
    run(runtime, "--name", "weave", "busybox", "sh", "-c", script)
    assert len(read_log(log_path(runtime, "weave"))) >= 5  # the pieces came in separate reads
    r = runtime.md("logs", "weave", check=True)
    assert (r.stdout, r.stderr) == ("AAABBBCCC\n", "e1\ne2\ne3\n")
    r = runtime.md("logs", "--tail", "2", "weave", check=True)
    assert (r.stdout, r.stderr) == ("AAABBBCCC\n", "e3\n")
    r = runtime.md("logs", "--tail", "1", "weave", check=True)
    assert (r.stdout, r.stderr) == ("", "e3\n")


def test_a_restarted_container_appends_to_its_log(runtime):
    run(runtime, "--name", "again", "busybox", "echo", "run")
    runtime.md("start", "-a", "again", check=True)
    assert runtime.md("logs", "again", check=True).stdout == "run\nrun\n"
    records = read_log(log_path(runtime, "again"))
    assert [r["log"] for r in records] == [b"run\n", b"run\n"]


@pytest.mark.parametrize("driver", ["local", "json-file"])
def test_rotation_keeps_max_file_files_of_max_size(runtime, driver):
    run(runtime, "--name", "rot", "--log-driver", driver, "--log-opt", "max-size=64k",
        "--log-opt", "max-file=3", "busybox", "seq", "1", "200000")
    assert log_config(runtime, "rot") == {"Type": driver,
                                          "Config": {"max-size": "64k", "max-file": "3"}}
    path = log_path(runtime, "rot")
    files = sorted(p.name for p in path.parent.iterdir() if p.name.startswith("container.log"))
    assert files == ["container.log", "container.log.1", "container.log.2"]
    for name in files:
        assert (path.parent / name).stat().st_size <= 64 * 1024
    # What is kept is the end of the output, whole lines in order, across the three files.
    numbers = [int(n) for n in runtime.md("logs", "rot", check=True).stdout.split()]
    assert numbers[-1] == 200000 and len(numbers) > 1000
    assert numbers == list(range(numbers[0], 200001))
    r = runtime.md("logs", "--tail", "5", "rot", check=True)
    assert r.stdout.split() == [str(n) for n in range(199996, 200001)]


def test_max_file_one_cuts_the_log_back(runtime):
    run(runtime, "--name", "cut", "--log-opt", "max-size=16k", "--log-opt", "max-file=1",
        "busybox", "seq", "1", "100000")
    path = log_path(runtime, "cut")
    assert not path.with_name("container.log.1").exists()
    assert path.stat().st_size <= 16 * 1024
    numbers = [int(n) for n in runtime.md("logs", "cut", check=True).stdout.split()]
    assert numbers[-1] == 100000 and numbers == list(range(numbers[0], 100001))


def test_follow_goes_on_across_rotations(runtime):
    script = ("i=0; while [ $i -lt 40 ]; do seq $((i * 1000)) $((i * 1000 + 999)); "
              "i=$((i + 1)); sleep 0.05; done")
    r = runtime.md("run", "-d", "--name", "spin", "--log-opt", "max-size=40k",
                   "--log-opt", "max-file=10", "busybox", "sh", "-c", script, check=True)
    runtime.track(r.stdout.strip())
    follow = runtime.popen("logs", "-f", "spin")
    out, err = follow.communicate(timeout=60)
    assert follow.returncode == 0, err
    assert [int(n) for n in out.split()] == list(range(0, 40000))
    assert log_path(runtime, "spin").with_name("container.log.3").exists()  # it did rotate


def test_details_prefix_each_line_with_the_attributes_as_dockers(runtime):
    r = runtime.md("run", "--name", "plain", "busybox", "sh", "-c", "echo one; echo two >&2")
    assert r.returncode == 0, r.stderr
    # Docker writes the attributes and a space: without any, each line starts with a space.
    r = runtime.md("logs", "--details", "plain")
    assert (r.stdout, r.stderr) == (" one\n", " two\n")
    r = runtime.md("run", "--name", "attrs", "--log-driver", "json-file",
                   "--log-opt", "labels=tier,absent", "--log-opt", "env=MODE",
                   "--label", "tier=front end", "-e", "MODE=a&b", "busybox", "echo", "x")
    assert r.returncode == 0, r.stderr
    r = runtime.md("logs", "--details", "-t", "attrs")
    stamp, rest = r.stdout.split(" ", 1)
    assert stamp.endswith("Z") and rest == "MODE=a%26b,tier=front+end x\n", r.stdout
    assert runtime.md("logs", "attrs").stdout == "x\n"  # only with --details


def test_details_take_labels_regex_and_env_regex(runtime):
    r = runtime.md("run", "--name", "rx", "--log-driver", "json-file",
                   "--log-opt", "labels-regex=^com\\.", "--log-opt", "env-regex=_ID$",
                   "--label", "com.a=1", "--label", "xcom.b=2", "-e", "RUN_ID=7", "-e", "ID=no",
                   "busybox", "echo", "x")
    assert r.returncode == 0, r.stderr
    assert runtime.md("logs", "--details", "rx").stdout == "RUN_ID=7,com.a=1 x\n"
    info = json.loads(runtime.md("inspect", "rx", check=True).stdout)[0]
    assert info["HostConfig"]["LogConfig"]["Config"] == {"labels-regex": "^com\\.",
                                                         "env-regex": "_ID$"}


@pytest.mark.parametrize("opt,message", [
    ("env-regex=(", "log opt env-regex: invalid regular expression"),
    ("tag={{.Name}}", "log opt tag: tag templates are not supported"),
])
def test_bad_attribute_options_are_refused(runtime, opt, message):
    assert_refused_before_anything_is_created(runtime, ["--log-driver", "json-file", "--log-opt", opt],
                                              message)
