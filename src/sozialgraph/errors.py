"""One base for every error a user may see: a message in German and in English, and the HTTP status it maps to.

Commands print ``message(lang)``; the web layer answers ``status`` with the message in the request's language
(German unless English was asked for). Subclasses keep the standard exception they stand for as a second base
(ValueError, PermissionError, …) so that callers may catch either.
"""

from __future__ import annotations


class SozialgraphError(Exception):
    status: int = 400

    def __init__(self, de: str, en: str, *, status: int | None = None, headers: dict[str, str] | None = None):
        super().__init__(de)
        self.de, self.en = de, en
        if status is not None:
            self.status = status
        self.headers = dict(headers or {})

    def message(self, lang: str = "de") -> str:
        return self.en if lang == "en" else self.de


class UnknownValue(SozialgraphError, ValueError):
    """A value that names nothing known (a code, label or IRI of a kind in namespaces.KIND_NAMES); carries
    suggestions."""

    def __init__(self, kind: str, value: str, suggestions: list[str]):
        from_kind = KIND_NAMES.get(kind, (kind, kind))
        self.kind, self.value, self.suggestions = kind, value, suggestions
        de_kind, en_kind = from_kind
        en = f"'{value}' is not a known {en_kind}."
        if suggestions:
            en += " Did you mean " + " or ".join(f"'{s}'" for s in suggestions) + "?"
        article = "kein bekannter" if de_kind in ("Stadtteil", "Stadtbezirk", "Sozialraum", "Träger") else "keine bekannte"
        if de_kind in ("Amt",):
            article = "kein bekanntes"
        de = f"'{value}' ist {article} {de_kind}."
        if suggestions:
            de += " Meinten Sie " + " oder ".join(f"'{s}'" for s in suggestions) + "?"
        super().__init__(de, en, status=400)


class ParameterError(SozialgraphError, ValueError):
    """A parameter value that cannot be used; names the parameter."""

    def __init__(self, param: str, de: str, en: str, suggestions: list[str] | None = None):
        self.param, self.suggestions = param, suggestions or []
        self.reason_de, self.reason_en = de, en
        super().__init__(f"Parameter '{param}': {de}", f"Parameter '{param}': {en}", status=400)


class StoreLockedError(SozialgraphError, RuntimeError):
    """The store directory is opened read-write by another process (usually a running server)."""

    status = 409


class StoreError(SozialgraphError, RuntimeError):
    """A store backend failed (a remote server unreachable, refusing, or answering nonsense)."""

    status = 502


from sozialgraph.namespaces import KIND_NAMES  # noqa: E402  (a constant table; namespaces imports nothing of ours)
