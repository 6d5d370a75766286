"""Working an inspection: assign, check in, take photos, record the outcome; the merchant's photos.

Each step goes through :data:`merchants.risk.inspections.workflow.INSPECTION` and is recorded
(who, when, from, to, why) besides the inspection's own history. An outcome of *fail* holds the
merchant's active terminals (each suspended through the terminals' workflow, the reason on its
record); every outcome has the merchant rated again, since inspection results are a factor.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, timedelta
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from merchants.models import (
    ChecklistAnswer,
    Inspection,
    InspectionAnswer,
    InspectionKind,
    InspectionOutcome,
    InspectionPhoto,
    InspectionStatus,
    Merchant,
)
from merchants.risk.inspections import mail
from merchants.risk.inspections.checklist import CHECKLIST
from merchants.risk.inspections.hooks import hold_terminals
from merchants.risk.inspections.location import (
    Place,
    place_of,
    premises_metres,
    radius,
    terminal_distances,
)
from merchants.risk.inspections.photos import PhotoFacts, read_photo
from merchants.risk.inspections.workflow import CONDUCT, INSPECTION, merchant_member
from merchants.risk.rating.services import rating_requested
from portal.common.statemachine import Transition, TransitionNotAllowed

MAX_PHOTOS = 20
# A fix is given this long at most; a photo request asked again, this long.
MAX_FIX_DAYS = 180
RESUBMIT_DAYS = 14


def inspection_transition(
    *, inspection: Inspection, name: str, actor: Any, reason: str = ""
) -> Inspection:
    """Take a step without data of its own: accept or ask again for photos, cancel."""
    if name not in ("accept_photos", "ask_again", "cancel"):
        raise TransitionNotAllowed(_("Unknown action."), code="unknown")

    def prepare(inspection: Inspection, step: Transition) -> None:
        now = timezone.now()
        if name == "accept_photos":
            inspection.outcome = InspectionOutcome.PASS
            inspection.completed_at, inspection.completed_by = now, actor
        elif name == "ask_again":
            inspection.due_on = timezone.localdate(now) + timedelta(days=RESUBMIT_DAYS)

    with transaction.atomic():
        inspection = INSPECTION.step(inspection, name, actor=actor, reason=reason, prepare=prepare)
        if name == "accept_photos":
            rating_requested(merchant_id=inspection.merchant_id, trigger=_trigger(inspection))
        elif name == "ask_again":
            pk, note = inspection.pk, reason.strip()
            transaction.on_commit(
                lambda: mail.photos_requested(Inspection.objects.get(pk=pk), note), robust=True
            )
    return inspection


def inspection_assign(
    *, inspection: Inspection, actor: Any, assignee: Any, due_on: date | None = None
) -> Inspection:
    """A lead gives the inspection to an inspector (again, to change who or when)."""
    if not (
        assignee is not None
        and assignee.is_active
        and assignee.is_staff
        and assignee.has_perm(CONDUCT)
    ):
        raise ValidationError({"assignee": _("Choose a member of staff who conducts inspections.")})
    if due_on is not None and due_on < timezone.localdate():
        raise ValidationError({"due_on": _("The due date cannot be in the past.")})

    def prepare(inspection: Inspection, step: Transition) -> None:
        inspection.assignee = assignee
        if due_on is not None:
            inspection.due_on = due_on

    return INSPECTION.step(
        inspection,
        "assign",
        actor=actor,
        # The trail's own words are English, like the other workflows' recorded reasons.
        reason=f"assigned to {assignee.get_username()}",
        prepare=prepare,
    )


def inspection_check_in(
    *, inspection: Inspection, actor: Any, latitude: Any, longitude: Any
) -> Inspection:
    """The inspector is at the premises: record where, and how far that is from the premises and
    from each terminal. Premises without coordinates take the check-in's (on the merchant's
    record, with the inspection named)."""
    place = place_of(latitude, longitude)

    def prepare(inspection: Inspection, step: Transition) -> None:
        merchant = Merchant.objects.select_for_update().get(pk=inspection.merchant_id)
        if not merchant.premises_located:
            _locate_premises(merchant, place, inspection)
        distance = premises_metres(merchant, place)
        inspection.checked_in_at = timezone.now()
        inspection.check_in_latitude = place.latitude
        inspection.check_in_longitude = place.longitude
        inspection.check_in_metres = distance
        inspection.check_in_far = distance is not None and distance > radius()
        inspection.terminal_distances = terminal_distances(merchant, place)

    with transaction.atomic():
        inspection = INSPECTION.step(inspection, "check_in", actor=actor, prepare=prepare)
    return inspection


def _locate_premises(merchant: Merchant, place: Place, inspection: Inspection) -> None:
    merchant.premises_latitude, merchant.premises_longitude = place.latitude, place.longitude
    merchant._change_reason = f"premises located at the check-in of inspection #{inspection.pk}"
    merchant.save(update_fields=["premises_latitude", "premises_longitude", "updated_at"])


def inspection_photo_add(
    *, inspection: Inspection, actor: Any, upload: UploadedFile, caption: str = ""
) -> InspectionPhoto:
    """The inspector adds a photo taken on site, while checked in."""
    if not (actor and actor.has_perm(CONDUCT)):
        raise PermissionDenied(_("You are not allowed to do this."))
    if inspection.status != InspectionStatus.CHECKED_IN or inspection.assignee_id != actor.pk:
        raise TransitionNotAllowed(
            _("Photos are added by the inspector assigned, once checked in."), code="not_open"
        )
    [facts] = _photos_read([upload], already=inspection.photos.count(), field="photo")
    return _attach(inspection, upload, facts, actor=actor, caption=caption, by_merchant=False)


def inspection_complete(
    *,
    inspection: Inspection,
    actor: Any,
    answers: Mapping[str, tuple[str, str]],
    findings: str,
    outcome: str,
    remediation_due_on: date | None = None,
) -> Inspection:
    """Record the checklist, the findings and the outcome; a fail holds the merchant's terminals.

    ``answers`` maps every checklist item's code to (answer, note). Refused, with the fields at
    fault, when an item is unanswered, the outcome unknown, a remediation without a due date for
    the fix (within ``MAX_FIX_DAYS``), or a remediation or fail without findings.
    """
    findings = (findings or "").strip()
    errors = _outcome_errors(answers, findings, outcome, remediation_due_on)
    if errors:
        raise ValidationError(errors)

    def prepare(inspection: Inspection, step: Transition) -> None:
        inspection.findings = findings
        inspection.outcome = outcome
        is_fix = outcome == InspectionOutcome.REMEDIATION
        inspection.remediation_due_on = remediation_due_on if is_fix else None
        inspection.completed_at, inspection.completed_by = timezone.now(), actor

    with transaction.atomic():
        inspection = INSPECTION.step(
            inspection, "complete", actor=actor, reason=outcome, prepare=prepare
        )
        InspectionAnswer.objects.filter(inspection=inspection).delete()
        InspectionAnswer.objects.bulk_create(
            InspectionAnswer(
                inspection=inspection,
                item=item.code,
                answer=answers[item.code][0],
                note=(answers[item.code][1] or "").strip()[:500],
            )
            for item in CHECKLIST
        )
        if outcome == InspectionOutcome.FAIL:
            _hold_terminals(inspection, actor)
        rating_requested(merchant_id=inspection.merchant_id, trigger=_trigger(inspection))
    return inspection


def _outcome_errors(
    answers: Mapping[str, tuple[str, str]],
    findings: str,
    outcome: str,
    remediation_due_on: date | None,
) -> dict[str, Any]:
    errors: dict[str, Any] = {}
    missing = [
        item
        for item in CHECKLIST
        if answers.get(item.code, ("", ""))[0] not in ChecklistAnswer.values
    ]
    if missing:
        errors["answers"] = _("Answer every item of the checklist: %(items)s") % {
            "items": "; ".join(str(item.question) for item in missing)
        }
    if outcome not in InspectionOutcome.values:
        errors["outcome"] = _("Choose the outcome.")
    elif outcome != InspectionOutcome.PASS and not findings:
        errors["findings"] = _("Say what was found: the outcome is not a pass.")
    if outcome == InspectionOutcome.REMEDIATION:
        today = timezone.localdate()
        if remediation_due_on is None:
            errors["remediation_due_on"] = _("Give the date by which the fix is due.")
        elif not today < remediation_due_on <= today + timedelta(days=MAX_FIX_DAYS):
            errors["remediation_due_on"] = _(
                "The fix is due after today and within %(days)d days."
            ) % {"days": MAX_FIX_DAYS}
    return errors


def _hold_terminals(inspection: Inspection, actor: Any) -> int:
    """Suspend each active terminal of the merchant, the inspection named as the reason."""
    reason = f"inspection #{inspection.pk} failed: {inspection.findings}"[:1000]
    return hold_terminals(merchant_id=inspection.merchant_id, actor=actor, reason=reason)


def _trigger(inspection: Inspection) -> str:
    return f"inspection {inspection.pk} {inspection.outcome}"


def photo_request_submit(
    *, inspection: Inspection, actor: Any, uploads: Sequence[UploadedFile]
) -> Inspection:
    """The merchant's owner or staff hand in photos of the business for a photo request.

    Each photo is checked (JPEG or PNG by content, size); one refused refuses the lot, with the
    file named, and nothing is written.
    """
    if merchant_member(inspection, actor) is not True:
        raise PermissionDenied(_("Only the merchant's owner or staff can hand in its photos."))
    if inspection.kind != InspectionKind.PHOTOS or inspection.status != InspectionStatus.SCHEDULED:
        raise TransitionNotAllowed(_("This request is not waiting for photos."), code="not_waiting")
    if not uploads:
        raise ValidationError({"photos": _("Add at least one photo of the business.")})
    read = _photos_read(uploads, already=inspection.photos.count(), field="photos")
    with transaction.atomic():
        for upload, facts in zip(uploads, read, strict=True):
            _attach(inspection, upload, facts, actor=actor, caption="", by_merchant=True)
        return INSPECTION.step(inspection, "submit_photos", actor=actor)


def _photos_read(uploads: Sequence[UploadedFile], *, already: int, field: str) -> list[PhotoFacts]:
    """Each photo read once (checked, its EXIF taken); every refusal at once, under ``field``."""
    if already + len(uploads) > MAX_PHOTOS:
        raise ValidationError(
            {field: [_("At most %(count)d photos per inspection.") % {"count": MAX_PHOTOS}]}
        )
    read, errors = [], []
    for upload in uploads:
        try:
            read.append(read_photo(upload))
        except ValidationError as exc:
            errors.extend(f"{upload.name}: {message}" for message in exc.messages)
    if errors:
        raise ValidationError({field: errors})
    return read


def _attach(
    inspection: Inspection,
    upload: UploadedFile,
    facts: PhotoFacts,
    *,
    actor: Any,
    caption: str,
    by_merchant: bool,
) -> InspectionPhoto:
    photo = InspectionPhoto(
        inspection=inspection,
        original_name=(upload.name or "photo")[:255],
        content_type=facts.content_type,
        size=upload.size or 0,
        width=facts.width,
        height=facts.height,
        caption=(caption or "").strip()[:200],
        taken_at=facts.taken_at,
        latitude=facts.latitude,
        longitude=facts.longitude,
        by_merchant=by_merchant,
        uploaded_by=actor,
    )
    if facts.latitude is not None and facts.longitude is not None:
        photo.metres_from_premises = premises_metres(
            inspection.merchant, Place(facts.latitude, facts.longitude)
        )
    photo.file.save(upload.name or "photo", upload, save=False)
    photo.save()
    return photo
