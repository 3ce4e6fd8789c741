"""The `monitor` command (and `python -m monitor`). Imports the program only once it runs, so that a
Ctrl-C while it is still loading ends it quietly, as a Ctrl-C later does."""

import signal
import sys


def main() -> int:
    interrupted = False

    def interrupt(signum, frame):
        nonlocal interrupted
        interrupted = True
        raise KeyboardInterrupt

    # Remembered as well as raised: a library may swallow the KeyboardInterrupt while it loads (lxml's module
    # set-up does), and the Ctrl-C must still stop the program. Not where SIGINT is ignored (a background job).
    watching = signal.getsignal(signal.SIGINT) is signal.default_int_handler
    if watching:
        signal.signal(signal.SIGINT, interrupt)
    try:
        from monitor.cli import main as command
    except KeyboardInterrupt:
        return 130
    finally:
        if watching:
            signal.signal(signal.SIGINT, signal.default_int_handler)
    if interrupted:
        return 130
    return command()


if __name__ == "__main__":
    sys.exit(main())
