"""OpenAPI description of the terminal API (serializers here document; they do not validate)."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.utils import OpenApiExample, extend_schema_serializer
from rest_framework import serializers

from transactions.models import Cvm, DecisionOutcome, PaymentMethod, ReportType


class TerminalSignatureScheme(OpenApiAuthenticationExtension):
    target_class = "transactions.api.authentication.TerminalSignatureAuthentication"
    name = "terminalSignature"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "X-Terminal-Key",
            "description": (
                "Also send X-Timestamp (Unix seconds) and X-Signature: lowercase hex "
                'HMAC-SHA256(secret, "{timestamp}\\n{METHOD}\\n{path}\\n{sha256hex(body)}").'
            ),
        }


# The ingest treats an optional field sent empty or null as not sent (terminals do send them so).
ABSENT = {"allow_blank": True, "allow_null": True}

# A report the API accepts (the fuzz tests send it first: tests/reliability/test_api_fuzz.py).
CARD_SALE = {
    "report_id": "3f2b8c1e-6d4a-4e8b-9c7d-2a1b0c9d8e7f",
    "occurred_at": "2026-01-15T14:03:27+08:00",
    "amount": "128.50",
    "currency": "CNY",
    "type": "sale",
    "method": "credit_card",
    "masked_pan": "622848******1234",
    "rrn": "331234567890",
    "trace_no": "000123",
    "batch_no": "000001",
    "auth_code": "A1B2C3",
    "mcc": "5411",
    "acquirer_mid": "898310054110001",
    "tid": "10000001",
    "cvm": "pin",
}


@extend_schema_serializer(
    examples=[OpenApiExample("Card sale", value=CARD_SALE, request_only=True)]
)
class ReportIn(serializers.Serializer):
    report_id = serializers.UUIDField()
    occurred_at = serializers.CharField(help_text="ISO 8601 with offset")
    amount = serializers.CharField(help_text="decimal string, > 0, at most 2 places")
    currency = serializers.CharField(required=False, default="CNY", **ABSENT)
    type = serializers.ChoiceField(choices=ReportType.choices)
    method = serializers.ChoiceField(choices=PaymentMethod.choices)
    masked_pan = serializers.CharField(
        required=False, help_text="card methods: 622848******1234", **ABSENT
    )
    card_token = serializers.CharField(required=False, max_length=64, **ABSENT)
    rrn = serializers.CharField(min_length=12, max_length=12)
    trace_no = serializers.CharField(min_length=6, max_length=6)
    batch_no = serializers.CharField(required=False, min_length=6, max_length=6, **ABSENT)
    auth_code = serializers.CharField(required=False, max_length=6, **ABSENT)
    mcc = serializers.CharField(min_length=4, max_length=4)
    acquirer_mid = serializers.CharField(min_length=15, max_length=15)
    tid = serializers.CharField(min_length=8, max_length=8)
    lat = serializers.FloatField(required=False, allow_null=True)
    lng = serializers.FloatField(required=False, allow_null=True)
    cvm = serializers.ChoiceField(choices=Cvm.choices)
    original_report_id = serializers.CharField(
        required=False, help_text="UUID of the report referred to", **ABSENT
    )


class Reason(serializers.Serializer):
    code = serializers.CharField(help_text="the check that fired, or check_failed")
    message = serializers.CharField(help_text="in the terminal's language (Accept-Language)")
    figures = serializers.DictField(child=serializers.CharField())


class DecisionOut(serializers.Serializer):
    decision_id = serializers.UUIDField()
    outcome = serializers.ChoiceField(choices=DecisionOutcome.choices)
    reasons = Reason(many=True)


class ReportOut(ReportIn):
    received_at = serializers.DateTimeField()
    source = serializers.CharField()
    decision = DecisionOut(required=False, help_text="absent for reports stored before screening")
    held = serializers.BooleanField(
        required=False, help_text="false once a lead has released the hold"
    )


@extend_schema_serializer(
    examples=[OpenApiExample("One card sale", value={"reports": [CARD_SALE]}, request_only=True)]
)
class BatchIn(serializers.Serializer):
    reports = ReportIn(many=True)


class Stored(serializers.Serializer):
    report_id = serializers.UUIDField()
    status = serializers.ChoiceField(choices=["accepted", "duplicate"])
    decision = DecisionOut(
        required=False, help_text="a duplicate repeats the first decision (none before screening)"
    )


class Rejected(serializers.Serializer):
    index = serializers.IntegerField()
    report_id = serializers.CharField(allow_null=True)
    errors = serializers.DictField(child=serializers.ListField(child=serializers.CharField()))


class BatchDecision(DecisionOut):
    index = serializers.IntegerField()
    report_id = serializers.UUIDField()


class BatchOut(serializers.Serializer):
    accepted = serializers.IntegerField()
    duplicates = serializers.IntegerField()
    rejected = Rejected(many=True)
    decisions = BatchDecision(
        many=True, help_text="accepted or duplicate reports not accepted outright"
    )


class Errors(serializers.Serializer):
    errors = serializers.DictField(child=serializers.ListField(child=serializers.CharField()))


class TerminalConfig(serializers.Serializer):
    tid = serializers.CharField()
    serial_number = serializers.CharField()
    mid = serializers.CharField()
    mcc = serializers.CharField()
    reporting_enabled = serializers.BooleanField()
    reporting_method = serializers.CharField()
    reporting_frequency = serializers.CharField()
    deadline_hours = serializers.IntegerField()
    parameters = serializers.DictField()
    server_time = serializers.DateTimeField()
