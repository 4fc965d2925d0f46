"""``python3 -m babelflow replay SPOOL_DIR --bootstrap-servers H:P``: delivers a spool a run left behind
(e.g. after the broker was away when it ended) without starting a new run."""
import argparse
import logging
import sys

from .errors import BabelFlowError
from .run import Run


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python3 -m babelflow")
    commands = parser.add_subparsers(dest="command", required=True)
    replay = commands.add_parser("replay", help="deliver the records waiting in a spool folder")
    replay.add_argument("spool")
    replay.add_argument("--bootstrap-servers", default="127.0.0.1:9092")
    replay.add_argument("--timeout", type=float, default=60.0, help="seconds to wait for Kafka")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    try:
        run = Run(args.bootstrap_servers, args.spool, run_id="replay")
        waiting = run.spooled_records
        delivered = run.flush(args.timeout)
        run.close(timeout=1.0)
    except BabelFlowError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    left = run.spooled_records
    print(f"{waiting - left} of {waiting} spooled records delivered; {left} wait in {args.spool}")
    return 0 if delivered else 1


if __name__ == "__main__":
    sys.exit(main())
