"""Threads drive containers in parallel: every blocking call releases the GIL."""

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pymydocker
from conftest import wait_for


def test_threads_run_containers_in_parallel(rt, tmp_path):
    # Each container waits for a file the test creates only once all of them run at the same
    # time: if run() held the GIL (or serialised callers), at most one would ever be running.
    count = 6

    def work(i):
        c = rt.run("busybox", ["sh", "-c", f"while [ ! -e /shared/go ]; do sleep 0.05; done; "
                               f"echo {i}; exit {i}"],
                   name=f"t{i}", volumes=[f"{tmp_path}:/shared"])
        try:
            return c.exit_code, c.output
        finally:
            c.remove()

    with ThreadPoolExecutor(max_workers=count) as pool:
        futures = [pool.submit(work, i) for i in range(count)]
        try:
            wait_for(lambda: len(rt.containers.list()) == count, timeout=60,
                     what=f"{count} containers running at once")
        finally:
            (tmp_path / "go").touch()
        results = [f.result(timeout=60) for f in futures]
    assert results == [(i, f"{i}\n".encode()) for i in range(count)]


def test_python_threads_progress_while_another_waits(rt):
    with rt.run("busybox", ["sleep", "30"], detach=True) as c:
        ticks = []
        stop = threading.Event()

        def spin():
            while not stop.is_set():
                ticks.append(1)
                time.sleep(0.01)

        spinner = threading.Thread(target=spin)
        spinner.start()
        try:
            try:
                c.wait(timeout=1.0)
            except pymydocker.Timeout:
                pass
        finally:
            stop.set()
            spinner.join()
        assert len(ticks) > 20, "the waiting thread held the GIL"


def test_parallel_exec_and_logs_on_one_container(rt):
    with rt.run("busybox", ["sh", "-c", "echo up; sleep 30"], detach=True) as c:
        def work(i):
            code, out = c.exec(["sh", "-c", f"sleep 0.3; echo exec {i}"])
            return code, out, c.logs()

        with ThreadPoolExecutor(max_workers=4) as pool:
            results = list(pool.map(work, range(8)))
        for i, (code, out, logs) in enumerate(results):
            assert code == 0
            assert out == f"exec {i}\n".encode()
            assert logs == "up\n"


def test_one_container_handle_shared_by_threads(rt):
    with rt.run("busybox", ["sh", "-c", "sleep 0.5; exit 9"], detach=True) as c:
        with ThreadPoolExecutor(max_workers=4) as pool:
            codes = list(pool.map(lambda _: c.wait(timeout=20), range(4)))
        assert codes == [9, 9, 9, 9]
