"""The navigation a person sees, by the roles they hold."""
from dataclasses import dataclass

from flask import request, url_for
from flask_login import current_user

from app.permissions import can


@dataclass
class NavItem:
    text: str
    href: str
    active: bool


# (label, endpoint, permission verb). Later issues add their areas here.
NAV = [
    ("Home", "main.home", "use_docket"),
    ("Your committees", "councillors.home", "councillor_home"),  # councillors (issue 14)
    ("Plans", "plans.index", "list_plans"),
    ("Sign-off", "updates.queue", "view_sign_off_queue"),
    ("Reports", "reports.index", "reports_menu"),  # clerks too (issue 16)
    ("Dashboard", "reports.dashboard", "view_dashboard"),
    ("Committees", "meetings.committees", "view_committees"),
    ("Notifications", "notifications.index", "use_docket"),
    ("Administration", "organisation.home", "administer"),
]

# Pages that belong to the Administration area although they keep their own addresses.
ADMINISTRATION_PATHS = ("/admin/", "/periods/", "/people/", "/trail/")


def navigation_for(user) -> list[NavItem]:
    if not getattr(user, "is_authenticated", False):
        return []
    items = []
    for text, endpoint, verb in NAV:
        if can(user, verb):
            href = url_for(endpoint)
            active = request.endpoint == endpoint or (
                endpoint != "main.home" and request.path.startswith(href)
            ) or (endpoint == "organisation.home" and request.path.startswith(ADMINISTRATION_PATHS))
            items.append(NavItem(text, href, active))
    return items


def register(app):
    @app.context_processor
    def inject_navigation():
        return {"navigation": lambda: navigation_for(current_user._get_current_object())}
