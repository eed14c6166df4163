#!/usr/bin/env python3
"""Runs a busybox container with pymydocker, streams its output, and removes it.

    sudo python3 run_busybox.py [--root DIR] [--image-tar busybox.tar] [--image IMAGE]

The state root defaults to $MYDOCKER_ROOT or /var/lib/mydocker. With --image-tar the
tarball is imported as "busybox" first (tools/make-busybox-rootfs.sh makes one); --image
runs another image than busybox. A failure is reported with the library's message, and the
exit status is Docker's for it (125, or 126/127 when the command cannot be run).
"""

import argparse
import sys

import pymydocker


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", help="mydocker state root")
    parser.add_argument("--image-tar", help="import this root file system tarball as busybox")
    parser.add_argument("--image", default="busybox", help="the image to run (default busybox)")
    args = parser.parse_args()

    runtime = pymydocker.Runtime(args.root)
    if args.image_tar:
        runtime.images.import_tar(args.image_tar, "busybox")

    script = "for i in 1 2 3; do echo hello from busybox $i; sleep 0.2; done; exit 3"
    # detach=True returns once the command runs; the with block removes the container.
    with runtime.run(args.image, ["sh", "-c", script], detach=True) as container:
        print(f"started {container.short_id} (pid {container.pid})", flush=True)
        for line in container.logs(follow=True):
            print(line, end="", flush=True)
        code = container.wait()
        print(f"container exited with {code}")
    return 0 if code == 3 else 1


if __name__ == "__main__":
    try:
        sys.exit(main())
    except pymydocker.MyDockerError as err:
        print(f"error: {err}", file=sys.stderr)
        sys.exit(err.exit_code)
