"""The card-data scanner finds full card numbers and leaves look-alike identifiers alone."""

import io
import logging
import zipfile

import pytest
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.db import connection

from tests.factories import MerchantFactory, make_id_number, make_uscc
from tests.reliability.pan_scan import (
    PanScanPlugin,
    _capture_loggers_configured_in_code,
    capture_every_logger,
    find_pans,
    mask,
    scan_database,
    scan_lines,
    scan_media,
)

PAN = "6222021234567890128"  # UnionPay, passes Luhn


@pytest.mark.parametrize(
    "text",
    [
        PAN,
        f"card={PAN};",
        "4111111111111111",
        "4111 1111 1111 1111",
        "4111-1111-1111-1111",
        "3782 822463 10005",
        "378282246310005",
        f"卡号{PAN}已收到",
        "卡号4111 1111 1111 1111已收到",
    ],
)
def test_full_card_numbers_are_found(text):
    assert find_pans(text)


@pytest.mark.parametrize(
    "text",
    [
        "4111111111111112",  # 16 digits, fails Luhn
        "331234567890",  # an RRN: 12 digits
        "898310054110001",  # a 15-digit merchant ID
        "1764092183000",  # a Unix time in milliseconds
        "41111111111111111111",  # 20 digits: some other number
        "a41111111111111111f0" + "0" * 30,  # inside a hex digest
        "4111 1111 1111-1111",  # mixed separators are not a typed card number
        "2026-11-25 17:36:23",
        f"Task succeeded in 0.{PAN}s: None",  # a duration's fraction, as Celery logs it
        # A task id whose groups read 6120-0005-4418-9 (Luhn-valid) between hex letters.
        "Task run_audit[b3fa6120-0005-4418-9b1c-3d2e5f6a7b8c] received",
    ],
)
def test_look_alike_numbers_are_ignored(text):
    assert find_pans(text) == []


@pytest.mark.parametrize("seed", range(40))
def test_chinese_registration_numbers_are_ignored(seed):
    assert find_pans(make_uscc(seed)) == []
    assert find_pans(make_id_number(seed)) == []


def test_the_finding_shows_only_a_masked_number():
    [finding] = scan_lines([f"INFO paid with {PAN}"], "test.log")
    assert str(finding) == "test.log:1: 622202*********0128"
    assert PAN not in str(finding)
    assert mask("4111111111111111") == "411111******1111"


def _plant() -> Permission:
    """A PAN in a table with no history (a group's name would stay in its trail)."""
    return Permission.objects.create(
        name=f"paid with {PAN}",
        codename="planted",
        content_type=ContentType.objects.get_for_model(Group),
    )


@pytest.mark.django_db
def test_a_pan_planted_in_the_database_is_found():
    planted = _plant()
    found = [str(finding) for finding in scan_database(connection, ["auth_permission"])]
    # Leave no PAN behind: the plugin scans each test's writes before its rollback.
    planted.delete()
    assert found == ["auth_permission.name: 622202*********0128"]


@pytest.mark.django_db
def test_factory_data_holds_no_pan():
    MerchantFactory.create_batch(3, approved=True)
    assert scan_database(connection, ["merchants_merchant"]) == []


@pytest.mark.django_db
@pytest.mark.skipif(connection.vendor != "postgresql", reason="the per-test scan is PostgreSQL's")
def test_the_per_test_scan_sees_what_the_test_wrote():
    planted = _plant()
    found = [str(finding) for finding in PanScanPlugin()._scan_after_test()]
    planted.delete()
    assert found == ["auth_permission.name: 622202*********0128"]


def test_loggers_that_do_not_propagate_are_captured_too():
    config = {
        "handlers": {"console": {"class": "logging.StreamHandler"}},
        "root": {"handlers": ["console"]},
        "loggers": {
            "quiet": {"handlers": ["console"], "propagate": False},
            "loud": {"level": "DEBUG"},
        },
    }
    capture_every_logger(config, "scan")
    assert config["root"]["handlers"] == ["console", "scan"]
    assert config["loggers"]["quiet"]["handlers"] == ["console", "scan"]
    assert "handlers" not in config["loggers"]["loud"]  # its records reach the root
    # Django's own: each request the live server answers, with its query string.
    assert config["loggers"]["django.server"]["handlers"] == ["django.server", "scan"]
    assert config["handlers"]["django.server"]["formatter"] in config["formatters"]


def test_django_servers_request_lines_reach_the_scanned_log(request):
    log_path = request.config.pluginmanager.get_plugin("pan_scan").log_path
    logging.getLogger("django.server").info('"GET /merchant/reports/?q=probe-4711 HTTP/1.1" 200')
    for handler in logging.getLogger("django.server").handlers:
        handler.flush()
    assert "probe-4711" in log_path.read_text(encoding="utf-8")


def test_a_logger_set_quiet_in_code_is_captured_from_the_next_test_on():
    quiet = logging.getLogger("tests.pan_scan.quiet")
    quiet.propagate = False
    handler = logging.StreamHandler(io.StringIO())
    handler.name = "scan"
    try:
        _capture_loggers_configured_in_code(handler)
        _capture_loggers_configured_in_code(handler)  # once, however often it runs
        assert quiet.handlers == [handler]
    finally:
        quiet.handlers.clear()


def test_a_pan_in_a_file_left_in_media_is_found(tmp_path):
    media = tmp_path / "not-media-root"  # MEDIA_ROOT itself is scanned after this test
    (media / "evidence").mkdir(parents=True)
    (media / "evidence" / "statement.txt").write_text(f"card {PAN} paid", encoding="utf-8")
    (media / "licence.png").write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 64)
    book = io.BytesIO()
    with zipfile.ZipFile(book, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/sharedStrings.xml", f"<si><t>{PAN}</t></si>")
    (media / "uploads.xlsx").write_bytes(book.getvalue())
    assert sorted(str(finding) for finding in scan_media(media)) == [
        "MEDIA_ROOT/evidence/statement.txt: 622202*********0128",
        "MEDIA_ROOT/uploads.xlsx!xl/sharedStrings.xml: 622202*********0128",
    ]


def test_the_media_scan_reads_this_tests_media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    (tmp_path / "media").mkdir()
    planted = tmp_path / "media" / "answer.txt"
    planted.write_text(f"paid with {PAN}", encoding="utf-8")
    plugin = PanScanPlugin()
    found = [str(finding) for finding in plugin._scan_media_after_test()]
    planted.unlink()  # leave no PAN behind: the plugin scans this test's MEDIA_ROOT next
    assert found == ["MEDIA_ROOT/answer.txt: 622202*********0128"]
