"""Django and DRF settings read as data: ``REST_FRAMEWORK`` defaults and ``MIDDLEWARE``.

Never imported, never run: only module-level literals are read, as the settings module
writes them (``MIDDLEWARE += [...]`` and ``.append(...)`` included).
"""

from __future__ import annotations

import libcst as cst

from analyzer.analyzers.api.settings import ApiSettings, matches
from analyzer.analyzers.api.syntax import elements, string_value

MIDDLEWARE_NAMES = ("MIDDLEWARE", "MIDDLEWARE_CLASSES")


class SettingsReader:
    def __init__(self, settings: ApiSettings) -> None:
        self.settings = settings
        self.drf_defaults: list[str] = []
        self.middleware: list[str] = []

    def read(self, name: str, value: cst.BaseExpression) -> bool:
        """Record ``name = value`` if it is a setting we read; False when it is none."""
        if name == "REST_FRAMEWORK":
            if isinstance(value, cst.Dict):
                self._read_drf(value)
            return True
        if name in MIDDLEWARE_NAMES:
            listed = elements(value) if not isinstance(value, cst.SimpleString) else (value,)
            self.middleware.extend(s for s in (string_value(e) for e in listed) if s)
            return True
        return False

    def _read_drf(self, value: cst.Dict) -> None:
        """Project-wide DRF defaults that make every view authenticated or paginated."""
        for element in value.elements:
            if not isinstance(element, cst.DictElement):
                continue
            key = string_value(element.key)
            if key == "DEFAULT_PAGINATION_CLASS" and string_value(element.value):
                self.drf_defaults.append(key)
            if key == "DEFAULT_PERMISSION_CLASSES":
                listed = [string_value(e) or "" for e in elements(element.value)]
                if listed and not all(matches(n, self.settings.public_permissions) for n in listed):
                    self.drf_defaults.append(key)
