"""--filter on ps, images and volume ls (issue #18), as Docker combines them: the values of one
key are alternatives, different keys must all match, every label must match; a bad filter is
one line with Docker's words and status, and nothing else happens."""


def ps_names(runtime, *args):
    out = runtime.md("ps", "-a", "--format", "{{.Names}}", *args, check=True).stdout
    return sorted(out.split())


def test_ps_filters_by_name_id_status_exited_label_and_combinations(runtime):
    runtime.md("run", "--name", "ok", "--label", "tier=front", "busybox", "true", check=True)
    runtime.md("run", "--name", "failed", "--label", "tier=back", "--label", "env=prod",
               "busybox", "sh", "-c", "exit 3", check=False)
    runtime.md("create", "--name", "fresh", "--label", "env=prod", "busybox", "true", check=True)
    up = runtime.md("run", "-d", "--name", "up-1", "--label", "tier=front", "--label", "env=prod",
                    "busybox", "sleep", "300", check=True).stdout.strip()
    assert ps_names(runtime, "--filter", "exited=3") == ["failed"]
    assert ps_names(runtime, "--filter", "exited=0") == ["ok"]
    assert ps_names(runtime, "--filter", "exited=0", "--filter", "exited=3") == ["failed", "ok"]
    assert ps_names(runtime, "--filter", "status=created") == ["fresh"]
    assert ps_names(runtime, "--filter", "label=tier") == ["failed", "ok", "up-1"]
    assert ps_names(runtime, "--filter", "label=tier=front") == ["ok", "up-1"]
    # Every label must match; values of other keys are alternatives.
    assert ps_names(runtime, "--filter", "label=tier=front", "--filter", "label=env=prod") == \
        ["up-1"]
    assert ps_names(runtime, "--filter", "label=env=prod", "--filter", "status=exited",
                    "--filter", "status=created") == ["failed", "fresh"]
    # name and id are regular expressions, as in Docker.
    assert ps_names(runtime, "--filter", "name=^f") == ["failed", "fresh"]
    assert ps_names(runtime, "--filter", "name=^/up") == ["up-1"]
    assert ps_names(runtime, "--filter", f"id={up[:10]}") == ["up-1"]
    # Without -a: only running ones.
    out = runtime.md("ps", "--format", "{{.Names}}", "--filter", "label=tier", check=True)
    assert out.stdout.split() == ["up-1"]


def test_ps_before_since_ancestor_volume_network(runtime):
    runtime.md("create", "--name", "first", "busybox", "true", check=True)
    runtime.md("create", "--name", "second", "-v", "data:/data", "busybox", "true", check=True)
    runtime.md("create", "--name", "third", "-v", "/tmp:/host-tmp", "busybox", "true", check=True)
    assert ps_names(runtime, "--filter", "before=second") == ["first"]
    assert ps_names(runtime, "--filter", "since=second") == ["third"]
    assert ps_names(runtime, "--filter", "since=first", "--filter", "before=third") == ["second"]
    assert ps_names(runtime, "--filter", "volume=data") == ["second"]
    assert ps_names(runtime, "--filter", "volume=/host-tmp") == ["third"]
    assert ps_names(runtime, "--filter", "ancestor=busybox") == ["first", "second", "third"]
    assert ps_names(runtime, "--filter", "ancestor=busybox:latest") == ["first", "second", "third"]
    # An image built on busybox counts as a descendant: its containers match busybox too.
    runtime.md("commit", "first", "derived:v1", check=True)
    runtime.md("create", "--name", "child", "derived:v1", "true", check=True)
    assert ps_names(runtime, "--filter", "ancestor=derived:v1") == ["child"]
    assert "child" in ps_names(runtime, "--filter", "ancestor=busybox")
    assert ps_names(runtime, "--filter", "ancestor=no-such-image") == []
    assert ps_names(runtime, "--filter", "network=bridge") == ["child", "first", "second", "third"]
    assert ps_names(runtime, "--filter", "network=none-such") == []
    r = runtime.md("ps", "--filter", "before=nobody")
    assert r.returncode == 1 and "no such container: nobody" in r.stderr
    runtime.md("rm", "child", check=True)
    runtime.md("rmi", "derived:v1", check=True)


def test_ps_health_filter_none(runtime):
    runtime.md("run", "-d", "--name", "plain", "busybox", "sleep", "300", check=True)
    assert ps_names(runtime, "--filter", "health=none") == ["plain"]
    assert ps_names(runtime, "--filter", "health=healthy") == []


def test_bad_filters_are_one_line_with_dockers_words(runtime):
    for args, status, words in [
        (["ps", "--filter", "nonsense"], 125,
         'invalid argument "nonsense" for "-f, --filter" flag: bad format of filter '
         "(expected name=value)"),
        (["ps", "--filter", "color=red"], 1, "invalid filter 'color'"),
        (["ps", "--filter", "status=bogus"], 1, "invalid filter 'status=bogus'"),
        (["ps", "--filter", "exited=x"], 1, "invalid filter 'exited=x'"),
        (["images", "--filter", "dangling=maybe"], 1, "invalid filter 'dangling=maybe'"),
        (["images", "--filter", "size=1"], 1, "invalid filter 'size'"),
        (["volume", "ls", "--filter", "flavor=x"], 1, "invalid filter 'flavor'"),
    ]:
        r = runtime.md(*args)
        assert r.returncode == status, (args, r.returncode, r.stderr)
        assert r.stderr.count("\n") == 1 and words in r.stderr, (args, r.stderr)
        assert r.stdout == "", (args, r.stdout)


def test_images_filters(runtime):
    runtime.md("create", "--name", "base", "busybox", "true", check=True)
    runtime.md("commit", "--change", "LABEL team=web", "base", "web/app:v1", check=True)
    runtime.md("commit", "base", "web/app:v2", check=True)
    runtime.md("commit", "base", check=True)  # untagged: dangling

    def rows(*args):
        out = runtime.md("images", "--format", "{{.Repository}}:{{.Tag}}", *args, check=True)
        return sorted(out.stdout.split())

    assert rows("--filter", "reference=web/*") == ["web/app:v1", "web/app:v2"]
    assert rows("--filter", "reference=web/app:v1") == ["web/app:v1"]
    assert rows("--filter", "reference=busy*") == ["busybox:latest"]
    assert rows("--filter", "reference=*") == ["busybox:latest"]  # '*' does not cross '/'
    assert rows("--filter", "dangling=true") == ["<none>:<none>"]
    assert "<none>:<none>" not in rows("--filter", "dangling=false")
    assert rows("--filter", "label=team=web") == ["web/app:v1"]
    assert rows("--filter", "label=team") == ["web/app:v1"]
    assert rows("--filter", "since=busybox", "--filter", "reference=web/*") == \
        ["web/app:v1", "web/app:v2"]
    assert rows("--filter", "before=web/app:v1") == ["busybox:latest"]
    r = runtime.md("images", "--filter", "before=no-such:tag")
    assert r.returncode == 1 and "no-such" in r.stderr
    runtime.md("rm", "base", check=True)


def test_volume_ls_filters(runtime):
    runtime.md("volume", "create", "used", check=True)
    runtime.md("volume", "create", "spare", check=True)
    runtime.md("create", "--name", "user", "-v", "used:/data", "busybox", "true", check=True)

    def names(*args):
        return sorted(runtime.md("volume", "ls", "-q", *args, check=True).stdout.split())

    assert names("--filter", "dangling=true") == ["spare"]
    assert names("--filter", "dangling=false") == ["used"]
    assert names("--filter", "name=sp") == ["spare"]
    assert names("--filter", "name=^u", "--filter", "driver=local") == ["used"]
    assert names("--filter", "driver=nfs") == []
    assert names("--filter", "label=a") == []
    runtime.md("rm", "user", check=True)
    assert names("--filter", "dangling=true") == ["spare", "used"]
