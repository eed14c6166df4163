"""Go templates for --format (issue #18, docs/templates.md): ps, images, inspect -f (containers,
images, volumes, networks, with --type), history, volume ls, network ls and stats, through the
CLI with real containers; Docker's field names, `table` with a header, `json`, and one line
with Docker's exit status for a template that is wrong."""

import json


def lines(proc):
    return proc.stdout.splitlines()


def test_ps_templates_use_dockers_fields(runtime):
    cid = runtime.md("run", "-d", "--name", "web", "busybox", "sleep", "300", check=True).stdout
    idle = runtime.md("create", "--name", "idle", "busybox", "true", check=True).stdout.strip()
    out = runtime.md("ps", "-a", "--format", "{{.Names}}|{{.ID}}|{{.Command}}|{{.State}}",
                     check=True)
    assert sorted(lines(out)) == [f'idle|{idle[:12]}|"true"|created',
                                  f'web|{cid.strip()[:12]}|"sleep 300"|running']
    # --no-trunc keeps the whole id; Status and RunningFor read as the table's columns.
    out = runtime.md("ps", "--no-trunc", "--format", "{{.ID}} {{.Status}} {{.RunningFor}}",
                     check=True)
    full, *rest = out.stdout.split(" ", 1)
    assert full == cid.strip() and rest[0].startswith("Up ") and rest[0].rstrip().endswith(" ago")


def test_ps_table_template_has_a_header_and_aligned_columns(runtime):
    runtime.md("run", "-d", "--name", "a-long-container-name", "busybox", "sleep", "300",
               check=True)
    runtime.md("run", "-d", "--name", "b", "busybox", "sleep", "300", check=True)
    # As typed in a shell's double quotes: backslash-t separates the columns.
    out = lines(runtime.md("ps", "--format", r"table {{.Names}}\t{{upper .State}}\t{{.Image}}",
                           check=True))
    assert out[0].split() == ["NAMES", "STATE", "IMAGE"]
    assert sorted(line.split() for line in out[1:]) == [
        ["a-long-container-name", "RUNNING", "busybox"], ["b", "RUNNING", "busybox"]]
    # Columns start where the header's do.
    state_col = out[0].index("STATE")
    assert all(line[state_col:].startswith("RUNNING") for line in out[1:])
    # {{json .}} is the whole row.
    rows = [json.loads(line) for line in lines(runtime.md("ps", "--format", "{{json .}}",
                                                          check=True))]
    row = next(r for r in rows if r["Names"] == "b")
    assert row["Names"] == "b" and row["Image"] == "busybox" and row["State"] == "running"
    assert set(row) >= {"ID", "Command", "CreatedAt", "RunningFor", "Ports", "Status", "Networks"}


def test_template_errors_are_one_line_with_dockers_status(runtime):
    runtime.md("run", "-d", "--name", "web", "busybox", "sleep", "300", check=True)
    for args, status, words in [
        (["ps", "--format", "{{.Names"], 1, "template parsing error: template: :1: unclosed action"),
        (["ps", "--format", "{{.Nope}}"], 1, "can't evaluate field Nope in type container"),
        (["ps", "--format", "{{nofunc .Names}}"], 1, 'function "nofunc" not defined'),
        (["images", "--format", "{{.Repository"], 1, "unclosed action"),
        (["inspect", "-f", "{{.State.Status", "web"], 64, "unclosed action"),
        (["inspect", "-f", "{{.State.Stauts}}", "web"], 1,
         "can't evaluate field Stauts in type State"),
        (["volume", "ls", "--format", "{{if}}"], 1, "missing value for if"),
    ]:
        r = runtime.md(*args)
        assert r.returncode == status, (args, r.stderr)
        assert r.stderr.count("\n") == 1 and words in r.stderr, (args, r.stderr)
        assert r.stdout.strip() == "", (args, r.stdout)


def test_inspect_format_on_containers_images_volumes_and_networks(runtime):
    cid = runtime.md("run", "-d", "--name", "web", "busybox", "sleep", "300",
                     check=True).stdout.strip()
    runtime.md("volume", "create", "data", check=True)
    assert runtime.md("inspect", "-f", "{{.Id}} {{.State.Status}} {{.Path}} {{json .Args}}", "web",
                      check=True).stdout == f'{cid} running sleep ["300"]\n'
    assert runtime.md("inspect", "--format", "{{range .NetworkSettings.Networks}}"
                      "{{.IPAddress}}{{end}}", "web", check=True).stdout.strip().count(".") == 3
    # One name of each kind, found in Docker's order (container, image, network, volume).
    out = runtime.md("inspect", "-f", "{{if .State}}container {{.Name}}{{else}}{{.Id}}{{end}}",
                     "web", check=True).stdout
    assert out == "container /web\n"
    image_id = runtime.md("inspect", "-f", "{{.Id}}", "busybox", check=True).stdout.strip()
    assert image_id.startswith("sha256:")
    assert runtime.md("inspect", "-f", "{{.Name}} {{.Driver}}", "data",
                      check=True).stdout == "data local\n"
    assert runtime.md("inspect", "-f", "{{.Name}} {{.Driver}}", "bridge",
                      check=True).stdout == "bridge bridge\n"
    assert runtime.md("image", "inspect", "-f", "{{.Id}}", "busybox",
                      check=True).stdout.strip() == image_id
    assert runtime.md("volume", "inspect", "--format", "{{.Mountpoint}}", "data",
                      check=True).stdout.strip().endswith("/volumes/data/_data")
    assert runtime.md("network", "inspect", "-f", "{{.Driver}}", "bridge",
                      check=True).stdout == "bridge\n"
    # --format json: one compact array.
    docs = json.loads(runtime.md("inspect", "--format", "json", "web", "data", check=True).stdout)
    assert [d.get("Id", d.get("Name")) for d in docs] == [cid, "data"]
    # --type looks only there; a name of another kind is not found (status 1).
    r = runtime.md("inspect", "--type", "volume", "web")
    assert r.returncode == 1 and "no such volume: web" in r.stderr
    r = runtime.md("inspect", "--type", "nonsense", "web")
    assert r.returncode != 0 and "--type" in r.stderr
    r = runtime.md("inspect", "-f", "{{.Id}}", "web", "no-such-thing")
    assert r.returncode == 1 and r.stdout == f"{cid}\n"
    assert "no such object: no-such-thing" in r.stderr


def test_images_history_volume_and_network_ls_formats(runtime):
    out = lines(runtime.md("images", "--format", r"table {{.Repository}}\t{{.Tag}}\t{{.Size}}",
                           check=True))
    assert out[0].split() == ["REPOSITORY", "TAG", "SIZE"]
    assert out[1].split()[:2] == ["busybox", "latest"]
    row = json.loads(runtime.md("images", "--format", "{{json .}}", check=True).stdout)
    assert row["Repository"] == "busybox" and row["Tag"] == "latest" and len(row["ID"]) == 12
    out = lines(runtime.md("history", "--format", r"table {{.ID}}\t{{.Comment}}", "busybox",
                           check=True))
    assert out[0].split() == ["IMAGE", "COMMENT"] and len(out) == 2
    assert json.loads(runtime.md("history", "--format", "json", "busybox",
                                 check=True).stdout)["ID"] == out[1].split()[0]
    runtime.md("volume", "create", "v1", check=True)
    runtime.md("volume", "create", "v2", check=True)
    assert sorted(lines(runtime.md("volume", "ls", "--format", "{{.Driver}}:{{.Name}}",
                                   check=True))) == ["local:v1", "local:v2"]
    runtime.md("network", "create", "--label", "tier=front", "front", check=True)
    try:
        out = runtime.md("network", "ls", "--format", '{{.Name}} {{.Label "tier"}}|{{.Labels}}',
                         check=True).stdout
        assert "front front|tier=front\n" in out and "bridge |\n" in out
    finally:
        runtime.md("network", "rm", "front", check=True)


def test_stats_template(runtime):
    runtime.md("run", "-d", "--name", "busy", "busybox", "sleep", "300", check=True)
    out = lines(runtime.md("stats", "--no-stream", "--format",
                           r"table {{.Name}}\t{{.PIDs}}\t{{.MemUsage}}", "busy", check=True))
    assert out[0].split() == ["NAME", "PIDS", "MEM", "USAGE", "/", "LIMIT"]
    assert out[1].split()[:2] == ["busy", "1"]


def test_control_characters_from_data_do_not_reach_the_terminal(runtime):
    # A command line is the container's own text.
    runtime.md("create", "--name", "evil", "busybox", "echo", "a\x1b]0;title\x07b", check=True)
    out = runtime.md("ps", "-a", "--no-trunc", "--format", "{{.Command}}", check=True).stdout
    assert "\x1b" not in out and "\x07" not in out
    # json escapes them instead.
    out = runtime.md("inspect", "-f", "{{json .Args}}", "evil", check=True).stdout
    assert json.loads(out) == ["a\x1b]0;title\x07b"]
