"""Bearer tokens and roles for the API.

Every route declares its minimum role in :data:`API_ROUTE_ROLES` (method and full path template),
the one table the role × route matrix test reads. A request without a live token gets 401; a token
whose user ranks below the route's role gets 403.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Final

from fastapi import Depends
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from damai.auth import User, role_at_least
from damai.web.api.errors import ApiError
from damai.web.context import WebContext

__all__ = ["API_PREFIX", "API_ROUTE_ROLES", "bearer", "require"]

API_PREFIX: Final = "/api/v1"

#: (method, full path template) → the lowest role allowed (viewer < analyst < approver < admin)
API_ROUTE_ROLES: Final[dict[tuple[str, str], str]] = {
    ("GET", f"{API_PREFIX}/openapi.json"): "viewer",
    ("GET", f"{API_PREFIX}/posts"): "viewer",
    ("GET", f"{API_PREFIX}/posts/{{post_id}}"): "viewer",
    ("GET", f"{API_PREFIX}/stats"): "viewer",
    ("GET", f"{API_PREFIX}/library"): "viewer",
    ("POST", f"{API_PREFIX}/classify"): "analyst",
    ("POST", f"{API_PREFIX}/recommend"): "analyst",
    ("POST", f"{API_PREFIX}/ingest"): "analyst",
    ("GET", f"{API_PREFIX}/jobs/{{job_id}}"): "analyst",
    # responses (issue #11): analysts propose and edit, approvers decide and publish
    ("GET", f"{API_PREFIX}/responses/{{response_id}}"): "viewer",
    ("POST", f"{API_PREFIX}/responses"): "analyst",
    ("PATCH", f"{API_PREFIX}/responses/{{response_id}}"): "analyst",
    ("POST", f"{API_PREFIX}/responses/{{response_id}}/approve"): "approver",
    ("POST", f"{API_PREFIX}/responses/{{response_id}}/reject"): "approver",
    ("POST", f"{API_PREFIX}/publications"): "approver",
    # the publishing queue (issue #12): anyone signed in sees it; approvers pause and resume
    ("GET", f"{API_PREFIX}/channels"): "viewer",
    ("POST", f"{API_PREFIX}/channels/pause"): "approver",
    ("POST", f"{API_PREFIX}/channels/resume"): "approver",
    ("POST", f"{API_PREFIX}/publications/{{publication_id}}/retract"): "approver",
    # campaigns (issue #12): analysts create them, approvers schedule (the scheduler publishes
    # in the activator's name), pause, end, and answer for missed slots
    ("GET", f"{API_PREFIX}/campaigns"): "viewer",
    ("GET", f"{API_PREFIX}/campaigns/{{campaign_id}}"): "viewer",
    ("POST", f"{API_PREFIX}/campaigns"): "analyst",
    ("POST", f"{API_PREFIX}/campaigns/{{campaign_id}}/activate"): "approver",
    ("POST", f"{API_PREFIX}/campaigns/{{campaign_id}}/pause"): "approver",
    ("POST", f"{API_PREFIX}/campaigns/{{campaign_id}}/end"): "approver",
    ("POST", f"{API_PREFIX}/campaigns/{{campaign_id}}/confirm-missed"): "approver",

    # the ambassador network (issue #12): personal data, so analysts and up
    ("GET", f"{API_PREFIX}/ambassadors"): "analyst",
    ("GET", f"{API_PREFIX}/ambassadors/reach"): "analyst",
    ("GET", f"{API_PREFIX}/ambassadors/kits"): "analyst",
    ("POST", f"{API_PREFIX}/ambassadors"): "analyst",
    ("GET", f"{API_PREFIX}/ambassadors/{{ambassador_id}}"): "analyst",
    ("POST", f"{API_PREFIX}/ambassadors/{{ambassador_id}}/withdraw"): "analyst",
    ("POST", f"{API_PREFIX}/ambassadors/{{ambassador_id}}/kits"): "analyst",
    ("POST", f"{API_PREFIX}/kits/{{kit_id}}/revoke"): "analyst",
    # measurement (issue #12 part 7): figures per ambassador name people, so analysts and up
    ("GET", f"{API_PREFIX}/measure"): "analyst",
    # official hazard events (issue #13): public information, so every signed-in user
    ("GET", f"{API_PREFIX}/events"): "viewer",
    # ... and the map's data: events, citizen reports, calls for help (issue #13 part 6)
    ("GET", f"{API_PREFIX}/map"): "viewer",
    ("GET", f"{API_PREFIX}/events/{{event_id}}"): "viewer",
    ("GET", f"{API_PREFIX}/events/{{event_id}}/alerts"): "viewer",
    ("GET", f"{API_PREFIX}/events/{{event_id}}/cap"): "viewer",
    ("GET", f"{API_PREFIX}/alerts/{{alert_id}}"): "viewer",
    # ... analysts draft alerts, approvers approve (two, or one if urgent), reject, publish
    ("POST", f"{API_PREFIX}/events/{{event_id}}/alerts"): "analyst",
    ("POST", f"{API_PREFIX}/alerts/{{alert_id}}/approve"): "approver",
    ("POST", f"{API_PREFIX}/alerts/{{alert_id}}/reject"): "approver",
    ("POST", f"{API_PREFIX}/alerts/{{alert_id}}/publish"): "approver",
    # the post-disaster hoax watch (issue #13 part 7): a working queue, like triage
    ("GET", f"{API_PREFIX}/hoaxwatch"): "analyst",
    ("POST", f"{API_PREFIX}/hoaxwatch/{{event_id}}/{{post_id}}/draft"): "analyst",
    ("POST", f"{API_PREFIX}/hoaxwatch/{{event_id}}/{{post_id}}/dismiss"): "analyst",
    # narratives (issue #14 part 2): everyone reads them
    ("GET", f"{API_PREFIX}/narratives"): "viewer",
    ("GET", f"{API_PREFIX}/narratives/{{narrative_id}}"): "viewer",
    # reports (issue #14 part 6): the weekly report's working figures (narrative titles) for
    # analysts; the transparency report, aggregates only with small counts masked, for everyone
    ("GET", f"{API_PREFIX}/reports/weekly"): "analyst",
    ("GET", f"{API_PREFIX}/reports/transparency"): "viewer",
    # watchlists and notifications (issue #14 part 5): everyone reads them; analysts save and
    # remove watchlists
    ("GET", f"{API_PREFIX}/watchlists"): "viewer",
    ("POST", f"{API_PREFIX}/watchlists"): "analyst",
    ("GET", f"{API_PREFIX}/watchlists/{{watchlist_id}}"): "viewer",
    ("DELETE", f"{API_PREFIX}/watchlists/{{watchlist_id}}"): "analyst",
    ("GET", f"{API_PREFIX}/notifications"): "viewer",
    ("POST", f"{API_PREFIX}/notifications/read"): "viewer",  # each user's own read state
    # the triage work queue (issue #14 part 1): analysts work it, as on the /triage page
    ("GET", f"{API_PREFIX}/triage"): "analyst",
    ("POST", f"{API_PREFIX}/triage/review"): "analyst",
    ("POST", f"{API_PREFIX}/triage/dismiss"): "analyst",
    ("POST", f"{API_PREFIX}/triage/assign"): "analyst",
    ("POST", f"{API_PREFIX}/triage/undo"): "analyst",
    ("POST", f"{API_PREFIX}/triage/{{post_id}}/note"): "analyst",
}

bearer = HTTPBearer(auto_error=False, scheme_name="bearerToken",
                    description="Token API dari `damai token create NAMA` / An API token from "
                                "`damai token create NAME`.")

_CHALLENGE = {"WWW-Authenticate": "Bearer"}


def require(ctx: WebContext, method: str, path: str) -> Callable[..., User]:
    """A dependency that lets the request through only with a token of the route's role."""
    minimum = API_ROUTE_ROLES[(method, API_PREFIX + path)]

    def authorised(credentials: Annotated[HTTPAuthorizationCredentials | None,
                                          Depends(bearer)]) -> User:
        if credentials is None or not credentials.credentials:
            raise ApiError(401, headers=_CHALLENGE)
        user = ctx.auth.verify_token(credentials.credentials)
        if user is None:
            raise ApiError(401, headers=_CHALLENGE)
        if not role_at_least(user.role, minimum):
            raise ApiError(403, message=(
                f"Peran {user.role} tidak cukup: rute ini perlu peran {minimum} atau lebih "
                f"tinggi; minta admin mengubah peran Anda / Role {user.role} may not use this "
                f"route: it needs {minimum} or higher; ask an admin to change your role."),
                detail={"role": user.role, "required": minimum})
        return user

    return authorised
