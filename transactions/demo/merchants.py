"""A realistic demo data set: staff logins, merchants in every onboarding state, terminals.

Built through the same services the portal uses, so the demo shows real trails and history.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from stdnum.cn import ric, uscc

from merchants.accounts.otp import backup_codes_issue
from merchants.members.services import member_add
from merchants.models import ApplicationStatus, DocumentKind, ReportingMethod
from merchants.onboarding.services import (
    application_transition,
    application_update,
    document_add,
    merchant_signup,
)
from merchants.reporting.services import reporting_settings_update
from merchants.terminals.services import (
    terminal_assign_tid,
    terminal_key_issue,
    terminal_register,
    terminal_transition,
)

DEMO_PASSWORD = "demo-pass-2026"
# Demo staff's two-factor backup code; good for this many logins until seed_demo runs again.
DEMO_BACKUP_CODE = "demo2026"
DEMO_BACKUP_CODE_USES = 50
_USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def make_uscc(rng: random.Random, region: str = "310115") -> str:
    body = "91" + region + "".join(rng.choice(_USCC_ALPHABET) for _ in range(9))
    return body + uscc.calc_check_digit(body)


def make_id_number(rng: random.Random, region: str = "110105") -> str:
    body = f"{region}19{rng.randint(60, 99)}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}"
    body += f"{rng.randint(0, 999):03d}"
    return body + ric.calc_check_digit(body + "0")  # reads the first 17 of 18 characters


@dataclass(frozen=True)
class DemoMerchant:
    username: str
    legal_name: str
    short_name: str
    mcc: str
    province: str
    city: str
    district: str
    address: str
    lat: str
    lng: str
    target: str  # the onboarding state the demo leaves it in


DEMO_MERCHANTS = [
    DemoMerchant(
        "shop-sh",
        "上海浦东便利超市有限公司",
        "浦东便利",
        "5411",
        "31",
        "上海市",
        "浦东新区",
        "世纪大道100号",
        "31.235929",
        "121.506058",
        ApplicationStatus.APPROVED,
    ),
    DemoMerchant(
        "shop-bj",
        "北京朝阳餐饮管理有限公司",
        "朝阳小馆",
        "5812",
        "11",
        "北京市",
        "朝阳区",
        "建国路88号",
        "39.908823",
        "116.460120",
        ApplicationStatus.APPROVED,
    ),
    DemoMerchant(
        "shop-gz",
        "广州天河电子商行",
        "天河电子",
        "5732",
        "44",
        "广州市",
        "天河区",
        "天河路385号",
        "23.132191",
        "113.326560",
        ApplicationStatus.UNDER_REVIEW,
    ),
    DemoMerchant(
        "shop-hz",
        "杭州西湖茶庄有限公司",
        "西湖茶庄",
        "5499",
        "33",
        "杭州市",
        "西湖区",
        "龙井路1号",
        "30.237170",
        "120.131230",
        ApplicationStatus.SUBMITTED,
    ),
    DemoMerchant(
        "shop-cd",
        "成都锦江珠宝有限公司",
        "锦江珠宝",
        "5944",
        "51",
        "成都市",
        "锦江区",
        "春熙路20号",
        "30.657480",
        "104.080560",
        ApplicationStatus.INFO_REQUESTED,
    ),
    DemoMerchant(
        "shop-sz",
        "深圳南山数码科技有限公司",
        "南山数码",
        "5045",
        "44",
        "深圳市",
        "南山区",
        "科技园路1号",
        "22.540503",
        "113.934528",
        ApplicationStatus.REJECTED,
    ),
    DemoMerchant(
        "shop-nj",
        "南京秦淮文具有限公司",
        "秦淮文具",
        "5943",
        "32",
        "南京市",
        "秦淮区",
        "夫子庙路5号",
        "32.020556",
        "118.788611",
        ApplicationStatus.RESUBMITTED,
    ),
    DemoMerchant(
        "shop-wh",
        "武汉江汉服装店",
        "江汉服装",
        "5651",
        "42",
        "武汉市",
        "江汉区",
        "江汉路1号",
        "30.583002",
        "114.281780",
        ApplicationStatus.DRAFT,
    ),
]

# The transitions that lead from a complete draft to each target state.
_PATHS: dict[str, list[tuple[str, str, str]]] = {
    ApplicationStatus.DRAFT: [],
    ApplicationStatus.SUBMITTED: [("submit", "owner", "")],
    ApplicationStatus.UNDER_REVIEW: [("submit", "owner", ""), ("start_review", "reviewer", "")],
    ApplicationStatus.INFO_REQUESTED: [
        ("submit", "owner", ""),
        ("start_review", "reviewer", ""),
        (
            "request_info",
            "reviewer",
            "营业执照扫描件不清晰，请重新上传。The licence scan is unreadable.",
        ),
    ],
    ApplicationStatus.RESUBMITTED: [
        ("submit", "owner", ""),
        ("start_review", "reviewer", ""),
        ("request_info", "reviewer", "请补充法人身份证背面。Please add the back of the ID card."),
        ("resubmit", "owner", ""),
    ],
    ApplicationStatus.REJECTED: [
        ("submit", "owner", ""),
        ("start_review", "reviewer", ""),
        ("reject", "lead", "经营范围与申报MCC不符。Business scope does not match the MCC."),
    ],
    ApplicationStatus.APPROVED: [
        ("submit", "owner", ""),
        ("start_review", "reviewer", ""),
        ("approve", "lead", ""),
    ],
}


def _staff(username: str, *, group: str | None = None, superuser: bool = False) -> object:
    User = get_user_model()
    user, created = User.objects.get_or_create(
        username=username,
        defaults={
            "email": f"{username}@portal.example",
            "is_staff": True,
            "is_superuser": superuser,
        },
    )
    if created:
        user.set_password(DEMO_PASSWORD)
        user.save()
    if group:
        user.groups.add(Group.objects.get(name=group))
    # Staff need a second factor: the demo's backup code, topped up on every seed_demo run.
    backup_codes_issue(user=user, codes=[DEMO_BACKUP_CODE] * DEMO_BACKUP_CODE_USES)
    return user


@transaction.atomic
def seed_demo(*, seed: int = 2026) -> list[tuple[str, str]]:
    """Create the demo data unless it is there; return (login, what it is) pairs."""
    rng = random.Random(seed)
    staff = {
        "admin": _staff("admin", superuser=True),
        "reviewer": _staff("reviewer", group="compliance reviewer"),
        "lead": _staff("lead", group="compliance lead"),
    }
    logins = [
        ("admin", "superuser"),
        ("reviewer", "compliance reviewer"),
        ("lead", "compliance lead"),
    ]
    User = get_user_model()
    for demo in DEMO_MERCHANTS:
        logins.append((demo.username, f"owner of {demo.short_name} ({demo.target})"))
        if User.objects.filter(username=demo.username).exists():
            continue
        _seed_merchant(demo, rng, staff)
    logins.append(("shop-sh-viewer", "viewer at 浦东便利"))
    return logins


def _seed_merchant(demo: DemoMerchant, rng: random.Random, staff: dict[str, object]) -> None:
    owner, merchant = merchant_signup(
        username=demo.username, email=f"{demo.username}@example.cn", password=DEMO_PASSWORD
    )
    application_update(
        merchant=merchant,
        actor=owner,
        data={
            "legal_name": demo.legal_name,
            "short_name": demo.short_name,
            "uscc": make_uscc(rng),
            "mcc": demo.mcc,
            "legal_rep_name": "张" + rng.choice("伟芳娜敏静丽强磊军洋"),
            "legal_rep_id_number": make_id_number(rng),
            "registered_province": demo.province,
            "registered_city": demo.city,
            "registered_district": demo.district,
            "registered_address": demo.address,
            "business_province": demo.province,
            "business_city": demo.city,
            "business_district": demo.district,
            "business_address": demo.address,
            "contact_name": "李" + rng.choice("明华红刚"),
            "contact_phone": f"13{rng.randint(100000000, 999999999)}",
            "contact_email": f"{demo.username}@example.cn",
            "bank_name": rng.choice(["中国工商银行", "中国建设银行", "招商银行", "中国银行"]),
            "bank_account_holder": demo.legal_name,
            "bank_account_number": "6222" + "".join(str(rng.randint(0, 9)) for _ in range(15)),
        },
    )
    for kind in (
        DocumentKind.BUSINESS_LICENCE,
        DocumentKind.LEGAL_REP_ID_FRONT,
        DocumentKind.LEGAL_REP_ID_BACK,
    ):
        upload = SimpleUploadedFile(f"{kind}.png", PNG, content_type="image/png")
        document_add(merchant=merchant, actor=owner, kind=kind, upload=upload)
    actors = {"owner": owner, **staff}
    for name, who, reason in _PATHS[demo.target]:
        merchant = application_transition(
            merchant=merchant, name=name, actor=actors[who], reason=reason
        )
    if demo.target == ApplicationStatus.APPROVED:
        _seed_terminals(demo, merchant, owner, staff["lead"], rng)
        reporting_settings_update(
            merchant=merchant,
            actor=owner,
            data={"enabled": True, "method": ReportingMethod.API, "deadline_hours": 24},
        )
    if demo.username == "shop-sh":
        member_add(
            merchant=merchant,
            actor=owner,
            username="shop-sh-viewer",
            email="viewer@example.cn",
            password=DEMO_PASSWORD,
            role="viewer",
        )


def _seed_terminals(demo, merchant, owner, lead, rng: random.Random) -> None:
    for i, final in enumerate(["active", "active", "active", "suspended", "pending"]):
        terminal = terminal_register(
            merchant=merchant,
            actor=owner,
            data={
                "serial_number": f"{demo.username.upper()}-{rng.randint(10**7, 10**8 - 1)}",
                "model_name": rng.choice(["PAX A920", "Newland N910", "Sunmi P2", "Landi A8"]),
                "province": demo.province,
                "city": demo.city,
                "district": demo.district,
                "address": f"{demo.address} {i + 1}号收银台",
                "latitude": Decimal(demo.lat),
                "longitude": Decimal(demo.lng),
            },
        )
        if final == "pending":
            continue
        terminal = terminal_assign_tid(terminal=terminal, actor=lead)
        terminal = terminal_transition(terminal=terminal, name="activate", actor=lead)
        terminal_key_issue(terminal=terminal, actor=lead)
        if final == "suspended":
            terminal_transition(
                terminal=terminal, name="suspend", actor=lead, reason="设备报修 Sent for repair"
            )
