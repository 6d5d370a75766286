"""The owner manages the merchant's users."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from merchants.members.access import merchant_required
from merchants.members.forms import MemberAddForm, MemberRoleForm
from merchants.members.services import member_add, member_remove, member_set_role
from merchants.models import Membership, Role


def _own_membership(request: HttpRequest, pk: int) -> Membership:
    return get_object_or_404(Membership, pk=pk, merchant=request.membership.merchant)  # type: ignore[attr-defined]


@merchant_required()
def member_list(request: HttpRequest) -> HttpResponse:
    membership = request.membership  # type: ignore[attr-defined]
    form = MemberAddForm(request.POST or None) if membership.can_manage else None
    if request.method == "POST":
        if form is None:
            raise PermissionDenied
        if form.is_valid():
            data = form.cleaned_data
            member_add(
                merchant=membership.merchant,
                actor=request.user,
                username=data["username"],
                email=data["email"],
                password=data["password"],
                role=data["role"],
            )
            messages.success(request, _("%(user)s added.") % {"user": data["username"]})
            return redirect("merchants:members")
    members = membership.merchant.memberships.select_related("user").order_by("user__username")
    return render(
        request,
        "merchants/members.html",
        {"members": members, "form": form, "role_choices": Role.choices},
    )


@merchant_required(manage=True)
@require_POST
def member_role(request: HttpRequest, pk: int) -> HttpResponse:
    target = _own_membership(request, pk)
    form = MemberRoleForm(request.POST)
    if form.is_valid():
        try:
            member_set_role(membership=target, actor=request.user, role=form.cleaned_data["role"])
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("Role changed."))
    return redirect("merchants:members")


@merchant_required(manage=True)
@require_POST
def member_remove_view(request: HttpRequest, pk: int) -> HttpResponse:
    target = _own_membership(request, pk)
    try:
        member_remove(membership=target, actor=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("%(user)s removed.") % {"user": target.user.get_username()})
    return redirect("merchants:members")
