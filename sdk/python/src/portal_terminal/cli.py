"""``portal-terminal``: report a sale, flush the offline queue, show the queue's status.

Credentials come from the environment (PORTAL_TERMINAL_URL, PORTAL_TERMINAL_KEY,
PORTAL_TERMINAL_SECRET, PORTAL_TERMINAL_QUEUE) or the options of the same names, or from the JSON
object ``manage.py issue_terminal_key`` prints, saved to a file (--credentials). Every command
prints one JSON object. Exit codes: 0 done (sent or queued), 1 usage or configuration error,
2 refused (locally or by the server), 3 held (the sale must not be completed), 4 reports still
pending after a flush (no network, or the server refused the credentials).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import uuid
from datetime import datetime
from pathlib import Path
from typing import Any

from portal_terminal.client import PortalError, Unreachable
from portal_terminal.queue import Queue, QueueConflict
from portal_terminal.terminal import Terminal
from portal_terminal.validation import FIELDS, ReportInvalid, contains_pan

OK, USAGE, REFUSED, HELD, PENDING = 0, 1, 2, 3, 4
DEFAULT_QUEUE = Path.home() / ".portal-terminal" / "queue.sqlite3"
# The report's fields as options (--masked-pan, --trace-no, ...), all strings but lat / lng.
FIELD_OPTIONS = [name for name in FIELDS if name not in ("report_id", "occurred_at")]


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.command == "status":  # the queue alone: works with no credentials and no network
        queue = Queue(args.queue)
        try:
            _print(queue.status())
        finally:
            queue.close()
        return OK
    try:
        _read_credentials(args)
    except ValueError as exc:
        return _fail(str(exc))
    missing = [
        name
        for name, value in (("--url", args.url), ("--key", args.key), ("--secret", args.secret))
        if not value
    ]
    if missing:
        return _fail(f"missing {', '.join(missing)} (or PORTAL_TERMINAL_URL / _KEY / _SECRET)")
    try:
        terminal = Terminal.open(
            base_url=args.url,
            key_id=args.key,
            secret=args.secret,
            queue_path=args.queue,
            language=args.language,
            retries=args.retries,
            timeout=args.timeout,
        )
    except ValueError as exc:
        return _fail(str(exc))
    try:
        return COMMANDS[args.command](terminal, args)
    except PortalError as exc:
        return _fail(str(exc))
    finally:
        terminal.close()


def _read_credentials(args: argparse.Namespace) -> None:
    """Key id and secret from the issued key's JSON file, unless given on their own."""
    if not args.credentials:
        return
    try:
        issued = json.loads(Path(args.credentials).read_text("utf-8"))
    except OSError as exc:
        raise ValueError(f"--credentials: {exc.strerror}") from None
    except json.JSONDecodeError:
        raise ValueError("--credentials is not the JSON object issue_terminal_key prints") from None
    if not isinstance(issued, dict) or not {"key", "secret"} <= issued.keys():
        raise ValueError("--credentials has no key and secret")
    args.key = args.key or issued["key"]
    args.secret = args.secret or issued["secret"]


def _report(terminal: Terminal, args: argparse.Namespace) -> int:
    try:
        report = _report_of(terminal, args)
    except ValueError as exc:
        return _fail(str(exc))
    try:
        outcome = terminal.report(report) if not args.queue_only else terminal.queue_report(report)
    except ReportInvalid as exc:
        _print({"report_id": report.get("report_id"), "state": "invalid", "errors": exc.errors})
        return REFUSED
    except QueueConflict:
        return _fail("this report_id is already queued with other content")
    _print(outcome.as_dict())
    if outcome.state == "refused":
        return REFUSED
    return HELD if outcome.hold else OK


def _report_of(terminal: Terminal, args: argparse.Namespace) -> dict[str, Any]:
    """The report from --json (a file or -) and the field options, with the terminal's defaults."""
    report: dict[str, Any] = {}
    if args.json:
        try:
            text = sys.stdin.read() if args.json == "-" else Path(args.json).read_text("utf-8")
        except OSError as exc:
            raise ValueError(f"--json: {exc.strerror}") from None
        try:
            report = json.loads(text)
        except json.JSONDecodeError as exc:
            # The message and position only: the text itself may hold card data.
            raise ValueError(f"--json is not JSON: {exc.msg} at line {exc.lineno}") from None
        if not isinstance(report, dict):
            raise ValueError("--json must hold one JSON object (one report)")
    for name in FIELD_OPTIONS:
        value = getattr(args, name)
        if value is not None:
            report[name] = value
    report.setdefault("report_id", args.report_id or str(uuid.uuid4()))
    report.setdefault("occurred_at", args.occurred_at or datetime.now().astimezone().isoformat())
    report.setdefault("currency", "CNY")
    report.setdefault("type", "sale")
    if not {"mcc", "acquirer_mid", "tid"} <= report.keys():
        # The terminal's own identifiers, from the server or the copy kept for offline use.
        try:
            config = terminal.config()
        except Unreachable:
            config = {}
        for name, key in (("mcc", "mcc"), ("acquirer_mid", "mid"), ("tid", "tid")):
            if config.get(key):
                report.setdefault(name, config[key])
    return report


def _flush(terminal: Terminal, args: argparse.Namespace) -> int:
    flushed = terminal.flush()
    _print(flushed.as_dict())
    return PENDING if flushed.pending else OK


def _config(terminal: Terminal, args: argparse.Namespace) -> int:
    _print(terminal.config())
    return OK


def _show(terminal: Terminal, args: argparse.Namespace) -> int:
    _print(terminal.client.report_detail(str(uuid.UUID(args.report_id))))
    return OK


COMMANDS = {
    "report": _report,
    "flush": _flush,
    "config": _config,
    "show": _show,
}


def _parser() -> argparse.ArgumentParser:
    env = os.environ.get
    parser = argparse.ArgumentParser(prog="portal-terminal", description=__doc__.split("\n")[0])
    parser.add_argument("--url", default=env("PORTAL_TERMINAL_URL"), help="the portal's base URL")
    parser.add_argument("--key", default=env("PORTAL_TERMINAL_KEY"), help="the terminal's key id")
    parser.add_argument(
        "--secret",
        default=env("PORTAL_TERMINAL_SECRET"),
        help="the key's secret (prefer PORTAL_TERMINAL_SECRET: options show in ps)",
    )
    parser.add_argument(
        "--credentials",
        default=env("PORTAL_TERMINAL_CREDENTIALS"),
        help="a file with the JSON object issue_terminal_key prints (key and secret)",
    )
    parser.add_argument(
        "--queue",
        type=Path,
        default=Path(env("PORTAL_TERMINAL_QUEUE") or DEFAULT_QUEUE),
        help=f"the offline queue's SQLite file (default {DEFAULT_QUEUE})",
    )
    parser.add_argument("--language", default=env("PORTAL_TERMINAL_LANGUAGE"), help="zh-hans, en")
    parser.add_argument("--retries", type=int, default=4, help="retries of a failed request")
    parser.add_argument("--timeout", type=float, default=10.0, help="seconds per request")
    commands = parser.add_subparsers(dest="command", required=True)
    report = commands.add_parser("report", help="report one sale (queued first, then sent)")
    report.add_argument("--json", help="a JSON file with the report (- for stdin)")
    report.add_argument("--report-id", type=_no_pan, help="default: a new UUID")
    report.add_argument("--occurred-at", type=_no_pan, help="ISO 8601 with offset; default: now")
    for name in FIELD_OPTIONS:
        kind = float if name in ("lat", "lng") else _no_pan
        report.add_argument(f"--{name.replace('_', '-')}", dest=name, type=kind)
    report.add_argument(
        "--queue-only", action="store_true", help="queue without sending (flush sends it)"
    )
    commands.add_parser("flush", help="send the queued reports, oldest first")
    commands.add_parser("status", help="queue length, oldest pending, refused reports")
    commands.add_parser("config", help="the terminal's parameters from the portal")
    show = commands.add_parser("show", help="a stored report with its decision")
    show.add_argument("report_id")
    return parser


def _no_pan(value: str) -> str:
    """An option value holding a full card number is refused before it goes anywhere."""
    if contains_pan(value):
        raise argparse.ArgumentTypeError(
            "contains a full card number: send only the masked number (first 6 and last 4 digits)"
        )
    return value


def _print(data: Any) -> None:
    print(json.dumps(data, ensure_ascii=False, indent=2))


def _fail(message: str) -> int:
    print(f"portal-terminal: {message}", file=sys.stderr)
    return USAGE


if __name__ == "__main__":
    sys.exit(main())
