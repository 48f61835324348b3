"""What a function's body does, read from single statements and calls as the visitor meets them.

``guards``: the body refuses a request the way authentication does: ``abort(401|403)``,
raising an authentication error or an HTTP exception with status 401/403, returning a
401/403 response, redirecting to a login page, or calling a configured guard (such as
``verify_jwt_in_request``). A decorator, hook or dependency with such a body authenticates.

``writes``: the body changes state: ORM writes (``session.add``, ``.save()``,
``.delete()``, ``.commit()``, ``objects.filter(...).update()``), file writes
(``open(path, "w")``, ``unlink``), SQL ``INSERT``/``UPDATE``/``DELETE``, or calls named like
create/update/delete/set. Everything is configurable in rules/api.toml.
"""

from __future__ import annotations

import re
from fnmatch import fnmatchcase

import libcst as cst

from analyzer.analyzers.api.queries import chain_names
from analyzer.analyzers.api.settings import ApiSettings
from analyzer.analyzers.api.syntax import argument, keyword, string_value

_LOGIN_WORDS = re.compile(r"log_?in|sign_?in|sign-in|log-in|auth", re.IGNORECASE)
_SQL_WRITE = re.compile(r"^\s*(insert|update|delete|replace|merge|upsert)\b", re.IGNORECASE)
_WRITE_MODES = frozenset("wax+")
_EMPTY = cst.Module(body=())


def chain_text(node: cst.BaseExpression) -> str:
    """``db.session.add(x)`` -> ``db.session.add``; calls and subscripts along it dropped."""
    return ".".join(reversed([n for n in chain_names(node) if n != "[]"]))


def _matches_any(text: str, patterns: tuple[str, ...]) -> bool:
    return any(fnmatchcase(text, p) for p in patterns)


def is_denial_status(node: cst.BaseExpression | None, settings: ApiSettings) -> bool:
    """``401``, ``403``, ``status.HTTP_401_UNAUTHORIZED``, ``HTTPStatus.FORBIDDEN``."""
    if isinstance(node, cst.Integer):
        return node.value in settings.guard_statuses
    if isinstance(node, cst.Attribute | cst.Name):
        last = node.attr.value if isinstance(node, cst.Attribute) else node.value
        return any(s in last for s in settings.guard_statuses) or last in (
            "UNAUTHORIZED",
            "FORBIDDEN",
        )
    return False


def call_guards(call: cst.Call, settings: ApiSettings) -> bool:
    """Does this call refuse the request as authentication does?"""
    text = chain_text(call.func)
    if not text:
        return False
    last = text.rsplit(".", 1)[-1]
    if _matches_any(text, settings.guard_calls) or _matches_any(last, settings.guard_calls):
        return True
    if last == "abort":
        return is_denial_status(argument(call, 0, "code"), settings) or is_denial_status(
            keyword(call, "status"), settings
        )
    if _matches_any(last, settings.guard_exceptions):
        return True
    if "redirect" in last.lower():
        return sends_to_login(call)
    if "Exception" in last or "Response" in last or "Error" in last or last == "make_response":
        statuses = (keyword(call, "status_code"), keyword(call, "status"), keyword(call, "code"))
        return any(is_denial_status(s, settings) for s in (*statuses, *_positional_ints(call)))
    return False


def sends_to_login(call: cst.Call) -> bool:
    """``redirect(url_for("auth.login"))``, ``redirect_to_login(path)``: what a
    login-required middleware or decorator does with an anonymous request."""
    text = chain_text(call.func).rsplit(".", 1)[-1].lower()
    if "redirect" not in text and "unauthorized" not in text:
        return False
    return text in ("redirect_to_login", "unauthorized") or (
        _LOGIN_WORDS.search(_EMPTY.code_for_node(call)) is not None
    )


def _positional_ints(call: cst.Call) -> list[cst.BaseExpression]:
    return [a.value for a in call.args if a.keyword is None and isinstance(a.value, cst.Integer)]


def raise_guards(node: cst.Raise, settings: ApiSettings) -> bool:
    """``raise PermissionDenied`` / ``raise Unauthorized()`` (calls are seen by call_guards)."""
    exc = node.exc
    if isinstance(exc, cst.Name | cst.Attribute):
        text = chain_text(exc)
        return bool(text) and _matches_any(text.rsplit(".", 1)[-1], settings.guard_exceptions)
    return False


def return_guards(node: cst.Return, settings: ApiSettings) -> bool:
    """``return jsonify(error), 401``."""
    value = node.value
    if isinstance(value, cst.Tuple) and len(value.elements) >= 2:
        return is_denial_status(value.elements[1].value, settings)
    return False


def call_writes(call: cst.Call, settings: ApiSettings) -> bool:
    """Does this call change state (database, files, or a method named like a write)?"""
    func = call.func
    text = chain_text(func)
    if not text:
        return False
    last = text.rsplit(".", 1)[-1]
    if _matches_any(last, settings.write_exclusions):
        return False
    if isinstance(func, cst.Attribute) and last in settings.write_methods:
        return True
    if _matches_any(last, settings.write_names) or _matches_any(text, settings.write_chains):
        return True
    if last in ("execute", "executemany") and isinstance(func, cst.Attribute):
        sql = string_value(argument(call, 0, "sql"))
        return sql is not None and _SQL_WRITE.match(sql) is not None
    if isinstance(func, cst.Name) and func.value == "open":
        mode = string_value(argument(call, 1, "mode"))
        return mode is not None and bool(_WRITE_MODES & set(mode))
    return False


def endpoint_exemptions(node: cst.Comparison) -> list[str]:
    """Endpoint names a request hook compares ``request.endpoint`` with (``==``, ``in``),
    as fnmatch patterns; ``"login" in request.endpoint`` is a substring test."""
    sides = [node.left, *(c.comparator for c in node.comparisons)]
    if not any(chain_text(s).endswith("request.endpoint") for s in sides):
        return []
    found: list[str] = []
    for index, side in enumerate(sides):
        literal = string_value(side)
        following = node.comparisons[index].operator if index < len(node.comparisons) else None
        if literal is not None:
            substring = isinstance(following, cst.In) and index == 0
            found.append(f"*{literal}*" if substring else literal)
        elif isinstance(side, cst.List | cst.Tuple | cst.Set):
            found.extend(v for v in (string_value(e.value) for e in side.elements) if v)
    return found
