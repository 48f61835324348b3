"""Endpoint counts checked by hand on real applications from PyPI.

Each excerpt is written for this test, modelled on the shape of the real project's route
declarations (not copied): flask-healthz 1.0.1 (one blueprint route, registered by an
extension class with a prefix), fastapi-users 15.0.5 (16 route decorators on routers built
inside factory functions, auth through local dependency variables) and django-todo 2.7.0
(15 ``path()`` entries: a list, a conditional ``append`` of a class view and an ``extend``,
with views re-exported from a package ``__init__``).
"""

from __future__ import annotations

from pathlib import Path

from tests.test_api_rules import run_api

FLASK_BLUEPRINT = """
from flask import Blueprint, current_app

probes = Blueprint("probes", __name__)


@probes.route("/<kind>")
def probe(kind):
    checks = current_app.config.get("PROBES", {})
    return "OK" if kind in checks else ("unknown", 404)
"""
FLASK_EXTENSION = """
from flask import Flask

from shop.probes import probes


class Probes:
    def __init__(self, app: Flask, prefix: str = "/probe") -> None:
        app.register_blueprint(probes, url_prefix="/health")
"""


def test_flask_blueprint_registered_by_an_extension(tmp_path: Path) -> None:
    output = run_api(tmp_path, {"shop/probes.py": FLASK_BLUEPRINT, "shop/ext.py": FLASK_EXTENSION})
    assert [(e.methods, e.route, e.documented) for e in output.endpoints] == [
        (("GET",), "/health/<kind>", False)
    ]


FASTAPI_FACTORY = """
from fastapi import APIRouter, Depends


def build_accounts_router(authenticator) -> APIRouter:
    router = APIRouter()
    current_admin = authenticator.current_user(active=True, superuser=True)

    @router.get("/me")
    async def me(user=Depends(authenticator.current_user(active=True))):
        return user

    @router.patch("/{id}", dependencies=[Depends(current_admin)])
    async def update_account(id: str):
        return {}

    @router.delete("/{id}", status_code=204)
    async def delete_account(id: str):
        return None

    return router
"""


def test_fastapi_routes_declared_inside_a_factory(tmp_path: Path) -> None:
    output = run_api(tmp_path, {"accounts/routes.py": FASTAPI_FACTORY})
    found = {(e.methods, e.route): e.authenticated for e in output.endpoints}
    assert found == {
        (("GET",), "/me"): True,
        (("PATCH",), "/{id}"): True,
        (("DELETE",), "/{id}"): False,
    }
    assert {f.tool_code for f in output.findings if f.line == 18} == {
        "undocumented-endpoint",
        "unauthenticated-write",
    }


DJANGO_URLS = """
from django.urls import path

from tasks import views

urlpatterns = [
    path("", views.board, name="board"),
    path("mine/", views.board, {"only_mine": True}, name="mine"),
    path("<int:pk>/", views.card, name="card"),
]

if True:
    from tasks.views.lookup import CardLookup

    urlpatterns.append(path("lookup/", CardLookup.as_view(), name="lookup"))

urlpatterns.extend([path("<int:pk>/done/", views.card_done, name="card_done")])
"""
DJANGO_VIEWS_INIT = """
from tasks.views.board import board  # noqa: F401
from tasks.views.card import card, card_done  # noqa: F401
"""
DJANGO_BOARD = '''
from django.contrib.auth.decorators import login_required
from django.shortcuts import render


@login_required
def board(request, only_mine=False):
    """The task board."""
    return render(request, "board.html")
'''
DJANGO_CARD = '''
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST


@login_required
def card(request, pk):
    """One card."""
    return render(request, "card.html")


@require_POST
def card_done(request, pk):
    """Mark a card done."""
    Card.objects.filter(pk=pk).update(done=True)
    return redirect("board")
'''
DJANGO_LOOKUP = '''
from thirdparty.autocomplete import QuerySetView


class CardLookup(QuerySetView):
    """Autocomplete over card titles."""
'''


def test_django_urls_with_appends_and_reexported_views(tmp_path: Path) -> None:
    files = {
        "tasks/urls.py": DJANGO_URLS,
        "tasks/views/__init__.py": DJANGO_VIEWS_INIT,
        "tasks/views/board.py": DJANGO_BOARD,
        "tasks/views/card.py": DJANGO_CARD,
        "tasks/views/lookup.py": DJANGO_LOOKUP,
    }
    output = run_api(tmp_path, files)
    found = {
        (e.route, e.methods, e.handler.rsplit(".", 1)[-1], e.authenticated)
        for e in output.endpoints
    }
    assert found == {
        ("/", ("*",), "board", True),
        ("/mine/", ("*",), "board", True),
        ("/<int:pk>/", ("*",), "card", True),
        ("/lookup/", ("*",), "CardLookup", False),
        ("/<int:pk>/done/", ("POST",), "card_done", False),
    }
    assert [f.tool_code for f in output.findings] == ["unauthenticated-write"]
