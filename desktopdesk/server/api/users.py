"""Accounts managed over the API: a super-admin gives someone a new password.

Passwords stay on the server (``desktopdesk.server.auth``); this route is the desktop's
way to reach ``Auth.set_password`` without a shell on the server. Like ``set-password``
it applies the chosen-password rule and signs the person out everywhere. The password
itself is never logged: the audit line names who changed whose password, nothing more.
"""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Response
from pydantic import BaseModel, ConfigDict, Field

from desktopdesk.domain.errors import FORBIDDEN, DomainError
from desktopdesk.models import User
from desktopdesk.server.auth import PASSWORD_MAX, check_chosen_password
from desktopdesk.server.deps import AuthDep, CurrentUser, StoreDep
from desktopdesk.server.errors import ApiError, error_responses

router = APIRouter(tags=["users"])


class NewPassword(BaseModel):
    model_config = ConfigDict(extra="forbid")

    password: str = Field(max_length=PASSWORD_MAX, repr=False,
                          description="The new password: at least 8 characters.")


@router.post(
    "/users/{user_id}/password", status_code=204, response_class=Response,
    summary="Set a user's password (super-admins only); their sign-ins are revoked",
    responses=error_responses(401, 403, 404, 422),
)
def set_user_password(user_id: uuid.UUID, body: NewPassword, caller: CurrentUser,
                      store: StoreDep, auth: AuthDep) -> Response:
    """Every token the user holds stops working: they sign in again with the new password.
    A weak password answers 422 naming the field ``password``."""
    with store.read() as session:
        admin = session.get(User, caller)
        if admin is None or not admin.is_superadmin:
            raise ApiError(403, FORBIDDEN, "Only a super-admin may set other people's "
                                           "passwords.")
    try:
        check_chosen_password(body.password)
        auth.set_password(user_id, body.password, changed_by=caller)
    except DomainError as error:
        raise ApiError.from_domain(error) from None
    return Response(status_code=204)
