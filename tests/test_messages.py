"""Every message raised in ``metrics`` has a code and reads in Danish and English (metrics.messages).

The codes are found by reading the source, so a new raise with an English sentence, or with a code
that has no text, fails here before it reaches a Danish page.
"""

from __future__ import annotations

import ast
import re
import string
from dataclasses import dataclass

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from metrics import auth, i18n, ingest, messages, model
from metrics.i18n import Lang
from metrics.model import DatabaseLocked, MalsporError, PermissionDenied, Problem, ValidationError
from metrics.seed import seed
from metrics.store import PROJECT_ROOT, Store
from tests.conftest import ADMIN, ANALYST, VIEWER, as_read

METRICS = PROJECT_ROOT / "metrics"
DASHBOARD = str(PROJECT_ROOT / "dashboard.py")


def _subclasses(cls: type) -> dict[str, type]:
    found = {cls.__name__: cls}
    for sub in cls.__subclasses__():
        found.update(_subclasses(sub))
    return found


ERRORS = _subclasses(MalsporError)


@dataclass(frozen=True)
class Site:
    """One place in metrics that makes a message: the file and line, the i18n key, the params passed."""

    where: str
    key: str
    params: frozenset[str] | None  # None: not known from the source (a ** splat or a class that adds its own)


def _name(func: ast.expr) -> str:
    return func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""


def _literals(node: ast.expr | None) -> list[str] | None:
    """The string codes an argument can take: a constant, or the branches of ``a if c else b``."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, ast.IfExp):
        body, orelse = _literals(node.body), _literals(node.orelse)
        return None if body is None or orelse is None else body + orelse
    return None


def _kwargs(call: ast.Call, extra: ast.expr | None = None) -> frozenset[str] | None:
    names: set[str] = set()
    for kw in call.keywords:
        if kw.arg is None:
            return None
        names.add(kw.arg)
    if extra is not None:  # Problem(..., params={...})
        if not isinstance(extra, ast.Dict) or any(k is None for k in extra.keys):
            return None
        names = {k.value for k in extra.keys if isinstance(k, ast.Constant)}
    return frozenset(names)


def scan() -> tuple[list[Site], list[str]]:
    """Every message made in metrics/ (its packages too), and every place that makes one without a code."""
    sites: list[Site] = []
    bad: list[str] = []
    for path in sorted(METRICS.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            name, where = _name(node.func), f"{path.name}:{node.lineno}"
            if name in ERRORS and name != "ValidationError":
                cls = ERRORS[name]
                arg = node.args[0] if node.args else None
                codes = ["permission"] if arg is None and cls is PermissionDenied else _literals(arg)
                if not codes or not all(model._CODE_RE.fullmatch(c) for c in codes):
                    bad.append(f"{where}: {name}(...) without a literal message code")
                    continue
                custom = cls.__init__ is not MalsporError.__init__
                params = None if custom else _kwargs(node)
                sites += [Site(where, f"{cls.PREFIX}{c}", params) for c in codes]
            elif name == "Problem":
                message = node.args[3] if len(node.args) > 3 else next(
                    (kw.value for kw in node.keywords if kw.arg == "message"), None)
                code = next((kw.value for kw in node.keywords if kw.arg == "code"), None)
                if message is not None or code is None:
                    bad.append(f"{where}: Problem(...) with an English sentence instead of code=")
                    continue
                codes = _literals(code)
                if codes is None:
                    continue  # a code chosen at run time (the import checks): tests/test_ingest*.py cover those
                extra = next((kw.value for kw in node.keywords if kw.arg == "params"), None)
                params = frozenset() if extra is None else _kwargs(ast.Call(node.func, [], []), extra)
                sites += [Site(where, f"problem.{c}", params) for c in codes]
            elif name == "_problem" and len(node.args) > 3:
                codes = _literals(node.args[3])
                if codes is not None:
                    sites += [Site(where, f"problem.{c}", _kwargs(node)) for c in codes]
            elif name in ("Term", "Sentence") and node.args:
                keys = _literals(node.args[0])
                if keys and all("." in k for k in keys):
                    sites += [Site(where, k, _kwargs(node) if name == "Sentence" else frozenset()) for k in keys]
    return sites, bad


SITES, WITHOUT_CODE = scan()


def fields(text: str) -> set[str]:
    return {f for _, f, _, _ in string.Formatter().parse(text) if f}


def test_the_scan_finds_the_messages_it_should():
    keys = {s.key for s in SITES}
    # one of each kind of site: a plain error, a permission, a lock, a refusal, a sign-in, a problem
    assert {"error.folder_missing", "error.permission", "error.db_locked", "refusal.no_batch", "auth.failed_wrong",
            "problem.password_short", "problem.direction_mismatch"} <= keys
    # and no text of metrics/messages.py is left over from a message that is no longer raised
    unused = {k for k in messages.TEXTS if k.startswith(("error.", "problem.")) and k not in keys}
    assert unused == set()
    # every action a role can be refused is said in words
    assert {f"action.{a}" for a in model.PERMISSIONS} <= set(messages.TEXTS)


def test_every_message_in_metrics_has_a_code():
    assert WITHOUT_CODE == []


@pytest.mark.parametrize("site", SITES, ids=lambda s: f"{s.where}:{s.key}")
def test_every_code_raised_has_a_danish_and_an_english_text(site):
    entry = i18n.TEXTS.get(site.key)
    assert entry is not None, f"{site.where}: no text for {site.key} (add it to metrics/messages.py)"
    assert entry.get("da", "").strip() and entry.get("en", "").strip()
    assert fields(entry["da"]) == fields(entry["en"]), site.key
    assert not fields(entry["en"]) & {"key", "lang"}, "i18n.t() takes these two names itself"
    if site.params is not None:
        assert fields(entry["en"]) <= site.params, f"{site.where}: {site.key} needs {fields(entry['en'])}"


def test_messages_are_merged_into_i18n_without_clashes():
    assert all(i18n.TEXTS[k] is v for k, v in messages.TEXTS.items())
    for key, entry in messages.TEXTS.items():
        assert set(entry) == {"da", "en"}, key
        assert entry["da"] != entry["en"] or not re.search(r"[a-z]{4}", entry["da"]), key  # Danish, not copied


def test_danish_messages_say_what_to_do():
    """Each Danish error text ends in an instruction or a full stop, never a bare parameter."""
    for key, entry in messages.TEXTS.items():
        if key.startswith(("error.", "problem.")) and key not in ("problem.no_columns",):
            assert entry["da"].rstrip().endswith((".", "?", "}")), key


def test_error_basics():
    exc = MalsporError("folder_missing", folder="/tmp/ingen")
    assert (exc.code, exc.params, exc.key) == ("folder_missing", {"folder": "/tmp/ingen"}, "error.folder_missing")
    assert str(exc) == "The folder /tmp/ingen does not exist." == exc.render("en") == exc.render(Lang("en"))
    assert exc.render(Lang("da")) == exc.render("da") == "Mappen /tmp/ingen findes ikke. Opret den, eller vælg en anden mappe."
    plain = MalsporError("A sentence from a caller outside metrics.")
    assert plain.code is None and plain.render("da") == str(plain) == "A sentence from a caller outside metrics."
    assert str(MalsporError("boom")) == "boom"


def test_numbers_and_choices_are_formatted_per_language():
    exc = MalsporError("format_unknown", fmt="odt", choices=model.OneOf(("pdf", "docx", "html", "md")))
    assert str(exc) == "Unknown format 'odt': use pdf, docx, html or md."
    assert exc.render("da") == "Ukendt format 'odt'. Brug pdf, docx, html eller md."
    problem = Problem(4, "direction", "decrease", code="direction_mismatch",
                      params={"direction": "decrease", "start": 13.4, "end": 20.25})
    assert "from 13.4 to 20.25" in problem.text("en") and "fra 13,4 til 20,25" in problem.text("da")


# ------------------------------------------------------------------ real failures
def test_a_permission_refusal_in_both_languages(store):
    with pytest.raises(PermissionDenied) as info, store.write(VIEWER, "import_observations"):
        pass
    exc = info.value
    assert str(exc) == "User 'viktor' with role 'viewer' may not import observations."
    assert exc.render("da").startswith("Brugeren 'viktor' med rollen 'læser' må ikke importere målinger.")
    assert "administrator" in exc.render("da") and "{" not in exc.render("da")


def test_the_database_lock_in_both_languages(isolated_db, lock_holder):
    with pytest.raises(DatabaseLocked) as info:
        Store.open(isolated_db, seed=seed)
    exc = info.value
    assert exc.code == "db_locked" and exc.params["pid"] == str(lock_holder.pid)
    english, danish = exc.render("en"), exc.render("da")
    assert f"process {lock_holder.pid}" in english and "only one process" in english
    assert f"proces {lock_holder.pid}" in danish and "Stop den proces" in danish and str(isolated_db) in danish
    assert "process" not in danish.replace(f"proces {lock_holder.pid}", "")


def test_undo_of_an_unknown_batch_in_both_languages(store):
    with pytest.raises(ingest.ImportRefused) as info:
        ingest.undo_batch(store, 9999, ANALYST)
    exc = info.value
    assert str(exc) == "There is no import batch 9999." and exc.render("da") == "Der findes ingen importkørsel 9999."


def test_a_validation_error_renders_every_problem(store):
    with pytest.raises(ValidationError) as info:
        auth.add_local_user(store, ADMIN, "ny.bruger", "viewer", "kort")
    exc = info.value
    assert exc.lines("da") == ["kolonne 'password': Adgangskoden skal have mindst 10 tegn. Vælg en længere."]
    assert exc.render("en") == "column 'password': The password must have at least 10 characters."


def test_target_definitions_are_refused_in_danish(store):
    frame = pd.read_csv(PROJECT_ROOT / "data" / "targets.csv", dtype=str, keep_default_na=False)
    frame.columns = [c.lower() for c in frame.columns]
    frame.insert(0, "_row", range(2, len(frame) + 2))
    frame.loc[0, "focus_area_id"] = frame.loc[1, "focus_area_id"] + "x"
    frame.loc[1, "kind"] = "niveau"
    with store.read() as cur, pytest.raises(ValidationError) as info:
        ingest.validate_targets(cur, frame)
    danish = info.value.lines("da")
    assert any("Ukendt indsatsområde. Mente du '" in line for line in danish), danish
    assert any("Typen skal være level, relative eller none." in line for line in danish), danish
    assert not any(re.search(r"\b(Unknown|Did you|The kind)\b", line) for line in danish), danish


def test_sign_in_failures_keep_their_codes(store):
    auth.add_local_user(store, ADMIN, "bente", "analyst", "et-langt-kodeord")
    with pytest.raises(auth.SignInFailed) as info:
        auth.sign_in_local(store, "bente", "forkert")
    assert info.value.code == "wrong" and info.value.render("da").startswith("Forkert brugernavn eller adgangskode.")


# ------------------------------------------------------------------ on the pages
@pytest.fixture
def clear_caches(streamlit_caches):
    """Page tests start with Streamlit's caches emptied (see conftest)."""


def page(name: str, lang: str, actor=None) -> AppTest:
    at = AppTest.from_file(DASHBOARD, default_timeout=30)
    if actor is not None:
        at.session_state["local_actor"] = actor
    at.query_params["lang"] = lang
    at.run()
    at.switch_page(f"app_pages/{name}.py")
    return at.run()


def test_a_refusal_on_the_admin_page_is_in_danish(isolated_db, clear_caches):
    with Store.open(isolated_db, seed=seed) as store:
        auth.add_local_user(store, ADMIN, "bente", "analyst", "et-langt-kodeord")
    at = page("admin", "da", actor=model.Actor("root", "admin"))
    assert not at.exception
    at.text_input[0].set_value("bente")
    at.text_input[1].set_value("endnu-et-langt-kodeord")
    submit = [b for b in at.button if b.label in ("Opret konto", "Add account")]
    assert submit, [b.label for b in at.button]
    submit[0].click().run()
    errors = [as_read(e.value) for e in at.error]  # the page escapes Markdown
    assert errors == ["Brugeren 'bente' findes allerede. Skift i stedet brugerens rolle eller adgangskode "
                      "(på kommandolinjen med 'user role' eller 'user password')."]


def test_a_locked_database_is_explained_in_danish_on_the_page(isolated_db, lock_holder, clear_caches):
    at = AppTest.from_file(DASHBOARD, default_timeout=30).run()
    errors = [as_read(e.value) for e in at.error]  # the page escapes Markdown
    assert len(errors) == 1, errors
    assert errors[0].startswith("Databasen kunne ikke åbnes. Databasen ")
    assert f"er åben i proces {lock_holder.pid}" in errors[0] and "prøv igen" in errors[0]
    assert "DuckDB lets" not in errors[0] and "another process" not in errors[0]
