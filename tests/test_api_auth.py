"""What guards each endpoint (auth_source) and whether its handler writes, per framework."""

from __future__ import annotations

from pathlib import Path

import pytest

from analyzer.analyzers.api.auth import is_public_by_design
from analyzer.analyzers.api.settings import bundled_settings
from tests.test_api_rules import run_api

FLASK_HOOKS = """
from flask import Blueprint, Flask, abort, redirect, request, session, url_for
from flask_login import current_user

app = Flask(__name__)
admin = Blueprint("admin", __name__)
shop = Blueprint("shop", __name__)


@app.before_request
def require_login():
    if request.endpoint in ("set_theme", "static") or "login" in request.endpoint:
        return None
    if not current_user.is_authenticated:
        return redirect(url_for("login"))


@admin.url_value_preprocessor
def only_staff(endpoint, values):
    if not session.get("staff"):
        abort(403)


@app.post("/theme")
def set_theme():
    session["theme"] = request.form["theme"]


@app.post("/login")
def login():
    sessions.create_session(request.form)


@app.post("/notes")
def add_note():
    notes.add_note(request.form)


@admin.post("/purge")
def purge():
    archive.delete_all()


@shop.post("/orders/<int:order_id>/cancel")
def cancel(order_id):
    if orders.owner(order_id) != current_user.id:
        abort(403)
    orders.update_status(order_id, "cancelled")


app.register_blueprint(admin, url_prefix="/admin")
app.register_blueprint(shop)
"""


def test_flask_hooks_exemptions_and_handler_checks(tmp_path: Path) -> None:
    output = run_api(tmp_path, {"site/app.py": FLASK_HOOKS})
    found = {e.route: (e.auth_source, e.writes) for e in output.endpoints}
    assert found == {
        # The app-wide hook lets set_theme through by name; it only touches the session.
        "/theme": ("none", False),
        "/login": ("public", True),
        "/notes": ("app hook", True),
        # A blueprint's own hook comes before the app's.
        "/admin/purge": ("app hook", True),
        "/orders/<int:order_id>/cancel": ("app hook", True),
    }
    assert not [f for f in output.findings if f.tool_code == "unauthenticated-write"]


FLASK_BLUEPRINT_HOOK = """
from flask import Blueprint, abort, session

admin = Blueprint("admin", __name__, url_prefix="/admin")


@admin.before_request
def only_staff():
    if not session.get("staff"):
        abort(401)


@admin.post("/purge")
def purge():
    archive.delete_all()


def cancel(order_id):
    if not session.get("user"):
        abort(403)
    orders.update_status(order_id, "cancelled")


admin.add_url_rule("/orders/<int:order_id>/cancel", view_func=cancel, methods=["POST"])
"""


def test_blueprint_hook_and_a_handler_that_refuses_itself(tmp_path: Path) -> None:
    output = run_api(tmp_path, {"site/admin.py": FLASK_BLUEPRINT_HOOK})
    found = {e.route: e.auth_source for e in output.endpoints}
    assert found == {
        "/admin/purge": "blueprint hook",
        "/admin/orders/<int:order_id>/cancel": "blueprint hook",
    }


FASTAPI_AUTH = """
from fastapi import APIRouter, Depends, FastAPI, HTTPException, Security
from fastapi.security import HTTPBearer

bearer = HTTPBearer()
app = FastAPI()
open_router = APIRouter()
admin_router = APIRouter(dependencies=[Depends(lambda: None)])


def get_admin(token=Security(bearer)):
    return token


async def check_owner(item_id: int):
    if not await owners.is_owner(item_id):
        raise HTTPException(status_code=403)


@open_router.post("/items")
async def create_item(body: dict, admin=Depends(get_admin)):
    await items.insert_one(body)


@open_router.put("/items/{item_id}", dependencies=[Depends(check_owner)])
async def update_item(item_id: int, body: dict):
    await items.update_one(item_id, body)


@open_router.post("/auth/token/refresh")
async def refresh(token: str):
    await tokens.delete_token(token)


@open_router.post("/items/{item_id}/preview")
async def preview(item_id: int):
    return await items.render(item_id)


app.include_router(open_router)
"""


def test_fastapi_dependencies_public_flows_and_reads(tmp_path: Path) -> None:
    output = run_api(tmp_path, {"api/main.py": FASTAPI_AUTH})
    found = {e.route: (e.auth_source, e.writes) for e in output.endpoints}
    assert found == {
        "/items": ("dependency", True),
        "/items/{item_id}": ("dependency", True),
        "/auth/token/refresh": ("public", True),
        # A POST that only reads is not a write, so never an unauthenticated write.
        "/items/{item_id}/preview": ("none", False),
    }
    assert not [f for f in output.findings if f.tool_code == "unauthenticated-write"]


DJANGO_SETTINGS = """
MIDDLEWARE = [
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
]
"""
DJANGO_URLS = """
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.mixins import LoginRequiredMixin
from django.urls import path
from django.views import View
from rest_framework.permissions import AllowAny
from rest_framework.views import APIView


def rename(request, pk):
    Board.objects.filter(pk=pk).update(name=request.POST["name"])


@login_not_required
def signup_callback(request):
    Invite.objects.filter(code=request.GET["code"]).delete()


class Archive(LoginRequiredMixin, View):
    def post(self, request, pk):
        Board.objects.filter(pk=pk).update(archived=True)


class OwnedOnly(View):
    def dispatch(self, request, *args, **kwargs):
        if request.user != self.get_owner():
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


class Publish(OwnedOnly):
    def post(self, request, pk):
        Board.objects.filter(pk=pk).update(published=True)


class Ping(APIView):
    permission_classes = [AllowAny]

    def post(self, request):
        Heartbeat.objects.create()


urlpatterns = [
    path("boards/<int:pk>/rename/", rename),
    path("invites/accept/", signup_callback),
    path("boards/<int:pk>/archive/", Archive.as_view()),
    path("boards/<int:pk>/publish/", Publish.as_view()),
    path("ping/", Ping.as_view()),
]
"""


def test_django_middleware_mixins_guarded_dispatch_and_exemptions(tmp_path: Path) -> None:
    files = {"proj/settings.py": DJANGO_SETTINGS, "proj/urls.py": DJANGO_URLS}
    output = run_api(tmp_path, files)
    found = {e.route: e.auth_source for e in output.endpoints}
    assert found == {
        "/boards/<int:pk>/rename/": "middleware",
        "/invites/accept/": "none",
        "/boards/<int:pk>/archive/": "view class",
        "/boards/<int:pk>/publish/": "view class",
        # AllowAny is explicit; LoginRequiredMiddleware still applies to DRF views.
        "/ping/": "middleware",
    }
    flagged = {f.line for f in output.findings if f.tool_code == "unauthenticated-write"}
    assert flagged == {15}


PROJECT_MIDDLEWARE = """
from django.contrib.auth.views import redirect_to_login
from django.http import JsonResponse


class StaffAreaMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def _to_login(self, request):
        return redirect_to_login(request.get_full_path())

    def __call__(self, request):
        if not request.user.is_authenticated:
            return self._to_login(request)
        return self.get_response(request)


class TokenMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.headers.get("authorization") and not lookup(request):
            return JsonResponse({"detail": "bad token"}, status=401)
        return self.get_response(request)
"""
ONLY_TOKENS = 'MIDDLEWARE = ["proj.middleware.TokenMiddleware"]\n'
STAFF_AREA = (
    'MIDDLEWARE = ["proj.middleware.TokenMiddleware", "proj.middleware.StaffAreaMiddleware"]\n'
)
VIEWS = """
from django.urls import path


def rename(request, pk):
    Board.objects.filter(pk=pk).update(name=request.POST["name"])


urlpatterns = [path("boards/<int:pk>/rename/", rename)]
"""


def test_a_project_middleware_requires_login_when_it_sends_requests_to_the_login_page(
    tmp_path: Path,
) -> None:
    common = {"proj/middleware.py": PROJECT_MIDDLEWARE, "proj/urls.py": VIEWS}
    guarded = run_api(tmp_path / "a", {**common, "proj/settings.py": STAFF_AREA})
    assert [e.auth_source for e in guarded.endpoints] == ["middleware"]
    # Answering 401 to a bad token is no login requirement: anonymous requests pass.
    open_ = run_api(tmp_path / "b", {**common, "proj/settings.py": ONLY_TOKENS})
    assert [e.auth_source for e in open_.endpoints] == ["none"]


@pytest.mark.parametrize(
    ("route", "handler", "public"),
    [
        ("/user/reset/<id>", "PerformResetView.post", True),
        ("/accounts/password/reset/", "submit", True),
        ("/settings/reset", "reset", False),
        ("/cache/reset", "CacheView.post", False),
        ("/api/v1/login", "post", True),
    ],
)
def test_public_flows_are_named_by_the_route_or_the_handler(
    route: str, handler: str, public: bool
) -> None:
    assert is_public_by_design(route, handler, bundled_settings()) is public
