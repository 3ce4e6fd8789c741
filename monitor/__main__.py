"""The `monitor` command (and `python -m monitor`). Imports the program only once it runs, so that a
Ctrl-C while it is still loading ends it quietly, as a Ctrl-C later does."""

import sys


def main() -> int:
    try:
        from monitor.cli import main as command
    except KeyboardInterrupt:
        return 130
    return command()


if __name__ == "__main__":
    sys.exit(main())
