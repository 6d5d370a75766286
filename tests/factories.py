"""factory-boy factories for the whole suite. Identifiers are valid (check digits included)."""

from __future__ import annotations

import random
import string
from decimal import Decimal

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from stdnum.cn import ric, uscc

from merchants.accounts.groups import sync_staff_groups
from merchants.models import (
    ApplicationStatus,
    DocumentKind,
    Membership,
    Merchant,
    MerchantDocument,
    ReportingSettings,
    RiskListEntry,
    RiskListKind,
    Role,
    Terminal,
    TerminalStatus,
)
from portal.common.crypto import id_number_digest
from portal.common.masking import mask_id_number

PNG_BYTES = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
PDF_BYTES = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"

_USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"


def make_uscc(seed: int | None = None) -> str:
    rng = random.Random(seed)
    body = "91" + "310115" + "".join(rng.choice(_USCC_ALPHABET) for _ in range(9))
    return body + uscc.calc_check_digit(body)


def make_id_number(seed: int | None = None) -> str:
    rng = random.Random(seed)
    body = "110105" + f"19{rng.randint(50, 99)}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}"
    body += f"{rng.randint(0, 999):03d}"
    return body + ric.calc_check_digit(body + "0")  # it reads the first 17 of 18


def png_upload(name: str = "licence.png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PNG_BYTES, content_type="image/png")


def pdf_upload(name: str = "licence.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF_BYTES, content_type="application/pdf")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.com")
    password = factory.PostGenerationMethodCall("set_password", "pass-word-123")

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class StaffFactory(UserFactory):
    is_staff = True

    @factory.post_generation
    def groups(obj, create, extracted, **kwargs):
        """``StaffFactory(groups=["compliance lead"])``"""
        if create and extracted:
            # The groups come from a data migration, which a transactional test's flush undoes.
            sync_staff_groups(Group, Permission)
            obj.groups.set(Group.objects.filter(name__in=extracted))


class MerchantFactory(factory.django.DjangoModelFactory):
    """A merchant whose application is complete (documents aside; see ``with_documents``)."""

    class Meta:
        model = Merchant
        skip_postgeneration_save = True

    legal_name = factory.Sequence(lambda n: f"上海测试商贸有限公司{n}")
    short_name = factory.Sequence(lambda n: f"测试商户{n}")
    uscc = factory.Sequence(lambda n: make_uscc(n))
    mcc = "5411"
    legal_rep_name = "张三"
    legal_rep_id_masked = factory.Sequence(lambda n: mask_id_number(make_id_number(n)))
    registered_province = "31"
    registered_city = "上海市"
    registered_district = "浦东新区"
    registered_address = "世纪大道100号"
    business_province = "31"
    business_city = "上海市"
    business_district = "浦东新区"
    business_address = "世纪大道100号"
    contact_name = "李四"
    contact_phone = "+8613800138000"
    contact_email = factory.Sequence(lambda n: f"merchant{n}@example.com")
    bank_name = "中国工商银行"
    bank_account_holder = factory.LazyAttribute(lambda m: m.legal_name)
    bank_account_number = "6222021234567890123"
    bank_account_last4 = "0123"
    status = ApplicationStatus.DRAFT

    class Params:
        approved = factory.Trait(
            status=ApplicationStatus.APPROVED,
            mid=factory.Sequence(lambda n: f"898310054110{n % 1000:03d}"),
        )

    @factory.post_generation
    def with_documents(obj, create, extracted, **kwargs):
        if create and extracted:
            for kind in (
                DocumentKind.BUSINESS_LICENCE,
                DocumentKind.LEGAL_REP_ID_FRONT,
                DocumentKind.LEGAL_REP_ID_BACK,
            ):
                MerchantDocumentFactory(merchant=obj, kind=kind)

    @factory.post_generation
    def reporting(obj, create, extracted, **kwargs):
        if create:
            ReportingSettings.objects.get_or_create(merchant=obj, defaults=extracted or {})


class MerchantDocumentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MerchantDocument

    merchant = factory.SubFactory(MerchantFactory)
    kind = DocumentKind.BUSINESS_LICENCE
    file = factory.LazyFunction(png_upload)
    original_name = "licence.png"
    content_type = "image/png"
    size = len(PNG_BYTES)


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    merchant = factory.SubFactory(MerchantFactory)
    role = Role.OWNER


def _tid(n: int) -> str:
    return f"{10000000 + n:08d}"


class TerminalFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Terminal

    merchant = factory.SubFactory(MerchantFactory, approved=True)
    serial_number = factory.Sequence(lambda n: f"SN{n:010d}")
    model_name = "PAX A920"
    status = TerminalStatus.PENDING
    province = "31"
    city = "上海市"
    district = "浦东新区"
    address = "世纪大道100号"
    latitude = Decimal("31.235929")
    longitude = Decimal("121.506058")

    class Params:
        active = factory.Trait(status=TerminalStatus.ACTIVE, tid=factory.Sequence(_tid))


class RiskListEntryFactory(factory.django.DjangoModelFactory):
    """A listed USCC by default; ``RiskListEntryFactory.id_number(number)`` and ``.mid(mid)``."""

    class Meta:
        model = RiskListEntry

    kind = RiskListKind.USCC
    value = factory.Sequence(lambda n: make_uscc(100000 + n))
    shown = factory.LazyAttribute(lambda e: e.value)
    source = "商户黑名单"
    reason = "套现"

    @classmethod
    def id_number(cls, number: str, **fields: object) -> RiskListEntry:
        return cls(
            kind=RiskListKind.ID_NUMBER,
            value=id_number_digest(number),
            shown=mask_id_number(number),
            **fields,
        )

    @classmethod
    def mid(cls, mid: str, **fields: object) -> RiskListEntry:
        return cls(kind=RiskListKind.MID, value=mid, shown=mid, **fields)


def random_text(n: int = 8) -> str:
    return "".join(random.choice(string.ascii_lowercase) for _ in range(n))
