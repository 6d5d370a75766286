"""OpenAPI description of the terminal API (serializers here document; they do not validate)."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import serializers

from ..models import Cvm, PaymentMethod, ReportType


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


class ReportIn(serializers.Serializer):
    report_id = serializers.UUIDField()
    occurred_at = serializers.CharField(help_text="ISO 8601 with offset")
    amount = serializers.CharField(help_text="decimal string, > 0, at most 2 places")
    currency = serializers.CharField(required=False, default="CNY")
    type = serializers.ChoiceField(choices=ReportType.choices)
    method = serializers.ChoiceField(choices=PaymentMethod.choices)
    masked_pan = serializers.CharField(required=False, help_text="card methods: 622848******1234")
    card_token = serializers.CharField(required=False, max_length=64)
    rrn = serializers.CharField(min_length=12, max_length=12)
    trace_no = serializers.CharField(min_length=6, max_length=6)
    batch_no = serializers.CharField(required=False, min_length=6, max_length=6)
    auth_code = serializers.CharField(required=False, max_length=6)
    mcc = serializers.CharField(min_length=4, max_length=4)
    acquirer_mid = serializers.CharField(min_length=15, max_length=15)
    tid = serializers.CharField(min_length=8, max_length=8)
    lat = serializers.FloatField(required=False)
    lng = serializers.FloatField(required=False)
    cvm = serializers.ChoiceField(choices=Cvm.choices)
    original_report_id = serializers.UUIDField(required=False)


class ReportOut(ReportIn):
    received_at = serializers.DateTimeField()
    source = serializers.CharField()


class BatchIn(serializers.Serializer):
    reports = ReportIn(many=True)


class Stored(serializers.Serializer):
    report_id = serializers.UUIDField()
    status = serializers.ChoiceField(choices=["accepted", "duplicate"])


class Rejected(serializers.Serializer):
    index = serializers.IntegerField()
    report_id = serializers.CharField(allow_null=True)
    errors = serializers.DictField(child=serializers.ListField(child=serializers.CharField()))


class BatchOut(serializers.Serializer):
    accepted = serializers.IntegerField()
    duplicates = serializers.IntegerField()
    rejected = Rejected(many=True)


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
