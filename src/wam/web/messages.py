"""Error messages in the reader's language.

The domain and the services raise errors with an English message and stable parameters: the
``code``, and ``field``/``row``, ``law``/``item``/``holder`` or ``what``/``key`` with the
English ``detail`` (:attr:`wam.domain.errors.WamError.params`). They never know who reads
them. English pages and API answers show the message exactly as raised. For another language,
:func:`localize` rebuilds it from the catalog:

1. the top-level phrase, from the code and the parameters, is always translated ("Saisie
   invalide dans le champ « quantity » :", "Refusé par la loi 2 (...) : ... (article X,
   détenteur Y)", "Détenteur « X » introuvable");
2. the detail is matched against the English phrasings of the raise sites (:data:`DETAILS`,
   :data:`RULES`) and rebuilt from the catalog key of the first match, its named groups as
   values; a detail nobody has translated yet stays in English behind the translated phrase.

A test sends each common refusal with ``Accept-Language: fr`` and checks the French text, so
a reworded English message that no longer matches shows up there.
"""

from __future__ import annotations

import re

from wam.domain.errors import InvalidInput, NotFound, PostingRejected, WamError

from .i18n import DEFAULT, Translator

_Q = r"'(?P<value>.*)'"  # a value as Python's repr() quotes it in a message

# English detail (whole message) -> catalog key; named groups become the key's values.
DETAILS: list[tuple[re.Pattern[str], str]] = [(re.compile(f"^{p}$"), k) for p, k in [
    # laws (PostingRejected)
    (r"a serialised item moves one at a time, not (?P<n>\d+)", "msg.law_one_at_a_time"),
    (r"(?P<item>.+) is not yet in the ledger; it must first arrive from an external holder "
     r"\(supply:<country> or recovered:<source>\)", "msg.law_not_yet"),
    (r"(?P<item>.+) is held by (?P<now>\S+), not by (?P<source>\S+)", "msg.law_held_by"),
    (r"(?P<item>.+) moved again at (?P<at>\S+) from (?P<next>\S+); a movement before that would break its "
     r"custody chain \(record a correction after it instead\)", "msg.law_moved_again"),
    (r"(?P<holder>\S+) holds (?P<balance>-?\d+) of (?P<item>.+) at that moment; cannot move (?P<n>\d+)",
     "msg.law_holds"),
    (r"back-dating this would leave (?P<holder>\S+) with a negative balance of (?P<item>.+) later on",
     "msg.law_negative_later"),
    (r"quantity (?P<value>.+) is not a whole number of at least 1", "msg.law_quantity"),
    # fields (InvalidInput)
    (r"is required", "msg.required"),
    (r"contains a control character that is not allowed", "msg.control"),
    (r"contains an invisible character \((?P<code>U\+[0-9A-F]{4,6})\) that is not allowed", "msg.invisible"),
    (r"is a name: one line, without a line break, tab or direction mark \((?P<code>U\+[0-9A-F]{4,6})\)",
     "msg.name_line"),
    (r"is a name: one line, without a line break, tab or direction mark", "msg.name_line_any"),
    (r"is longer than (?P<n>\d+) characters", "msg.too_long"),
    (r"must be trimmed, non-empty text of at most (?P<n>\d+) characters, without control separators", "msg.clean_text"),
    (r"must be at least 1 \(law 3: a movement moves something\)", "msg.at_least_one"),
    (r"must be at most (?P<n>[\d,]+)", "msg.at_most_n"),
    (f"{_Q} is not a whole number", "msg.not_whole"),
    (r"give the time with its time zone \(UTC\)", "msg.time_zone"),
    (r"(?P<value>\S+) is outside the dates the ledger can keep \((?P<first>\S+) to (?P<last>\S+) UTC\)",
     "msg.time_outside_dates"),
    (r"(?P<value>\S+) is before (?P<earliest>\S+), the earliest date this ledger accepts \((?P<setting>\w+)\)",
     "msg.time_before_earliest"),
    (r"(?P<value>\S+) is after (?P<latest>\S+), the time of recording plus (?P<minutes>\d+) minutes "
     r"\((?P<setting>\w+)\): a movement is recorded after it happens", "msg.time_after_latest"),
    (r"a period is at most (?P<years>\d+) years", "msg.period_at_most"),
    (r"is not an ISO 8601 date or date-time", "msg.not_iso_date"),
    (r"is not a date and time", "msg.not_datetime"),
    (r"is not a cursor returned by this list", "msg.not_cursor"),
    (r"source and target are the same holder", "msg.same_holder"),
    (f"{_Q} is not a movement kind \\((?P<allowed>.*)\\)", "msg.not_kind"),
    (r"item '(?P<item>.*)' is not registered", "msg.item_unregistered"),
    (f"{_Q} is not an item key \\(W\\|make\\|model\\|serial or L\\|make\\|model\\|lot\\)", "msg.not_item_key"),
    (r"expenditure is for lots; a weapon leaves by loss or disposal", "msg.expenditure_lots"),
    # documents (wam.domain.documents)
    (r"an? (?P<kind>[a-z]+) is posted only through its register: (?P<command>.+)", "msg.document_required"),
    (r".+ (?P<number>\S+) is (?P<state>[a-z_]+); (?P<step>[a-z]+) needs it (?P<allowed>.+)", "msg.document_state"),
    (r"(?P<actor>\S+) drafted (?P<number>\S+): someone else must (?P<step>[a-z]+) it", "msg.document_drafter"),
    (r".+ (?P<number>\S+) exists already", "msg.document_exists"),
    # loss incidents (wam.domain.incidents.check_step)
    (r"(?P<actor>\S+) reported this incident: someone else must approve its write-off", "msg.incident_reporter"),
    (r"a board of inquiry is required \((?P<reasons>.+)\): convene it before the findings", "msg.incident_board_first"),
    (r"a write-off needs the board of inquiry's reference", "msg.incident_board_reference"),
    (r"a board of inquiry is convened with its reference: give board_reference", "msg.incident_convene"),
    (r"record the findings: give findings", "msg.incident_findings"),
    (r"close with an outcome: (?P<allowed>.+)", "msg.incident_outcome"),
    (r"an issue goes to a person; (?P<code>\S+) is a (?P<hkind>\w+)", "msg.issue_to_person"),
    (r"an issue comes from a store or site, not a person", "msg.issue_from"),
    (r"a return comes from a person; (?P<code>\S+) is a (?P<hkind>\w+)", "msg.return_from_person"),
    (r"a return goes to a store or site, not a person", "msg.return_to"),
    (r"materiel goes to and from persons by issue and return", "msg.persons"),
    (f"{_Q} is not an entry id \\(<ledger>:<seq>\\)", "msg.not_entry_id"),
    (r"entry '(?P<value>.*)' does not exist", "msg.no_entry"),
    (r"a reversal cannot itself be reversed; record a new movement", "msg.reverse_reversal"),
    (r"a reversal cannot be dated before the movement it undoes", "msg.reversal_before"),
    (r"entry (?P<value>\S+) has already been reversed", "msg.already_reversed"),
    (r"entry (?P<value>\S+) is a (?P<kind>\w+) that its register posted: it is not reversed by a movement; "
     r"record what followed through the register \((?P<command>.+)\)", "msg.register_line"),
    (r"a reversal moves the same item and quantity back, from the original's target to its source",
     "msg.reversal_shape"),
    (r"a movement is recorded in the name of the signed-in user", "msg.own_name"),
    (f"{_Q} is not a role \\((?P<allowed>.*)\\)", "msg.not_role"),
    (r"is not a holder code", "msg.not_holder_code"),
    (r"give a holder or a country, not both", "msg.holder_or_country"),
    (f"{_Q} is not an ISO 3166 alpha-3 code", "msg.not_iso3"),
    (r"use 2-64 lower-case letters, digits and \. _ -", "msg.user_name"),
    (r"user '(?P<value>.*)' already exists", "msg.user_exists"),
    (r"use at least (?P<n>\d+) characters", "msg.password_short"),
    # site security assessments (wam.domain.assessments, wam.services.assessments, wam.web.pages.assessments)
    (r"(?P<aid>\S+) of (?P<site>\S+) is still open: close it before starting another", "asm.msg.still_open"),
    (r"answer every question before closing \((?P<n>\d+) left: (?P<first>.+)\)", "asm.msg.unanswered"),
    (r"(?P<aid>\S+) is closed: start a new assessment", "asm.msg.closed"),
    (r"must be from (?P<today>\S+) and within (?P<n>\d+) years", "asm.msg.due"),
    (r"name who owns the action", "asm.msg.owner"),
    (r"there is no action (?P<value>.+)", "asm.msg.no_action"),
    (r"change at least one answer or note", "asm.msg.no_change"),
    (r"answer the question before adding a note", "asm.msg.note_first"),
    (r"your role does not allow assessing(?: (?P<code>\S+))?", "asm.msg.deny"),
    # the storage rules, overrides, suspensions and recalls (wam.domain.storage, wam.services.ammo, pages.ammo)
    (r"refused by the storage rules: (?P<reason>.+)\. An officer who approves at (?P<store>\S+) may record an "
     r"override with its reason, on the store's page or with wam ammo override (?P<command>.+)",
     "ammo.msg.storage_refused"),
    *[(f"lot (?P<lot>.+) is {status}(?P<code> \\(code .+\\))? since (?P<since>.+) UTC: (?P<reason>.*)\\. It may be "
       f"returned, counted and disposed of, or transferred with reason 'disposal'", f"ammo.msg.lot_{status}")
      for status in ("suspended", "recalled")],
    (r"give the reason for the override \(it is kept and shown\)", "ammo.msg.override_reason"),
    (r"give the reason \(a technical notice, an incident, a test result\)", "ammo.msg.status_reason"),
    (r"give the lot's item key", "ammo.msg.item_key"),
    (r"(?P<item>.+) is a weapon; the storage rules are for lots of ammunition", "ammo.msg.weapon_storage"),
    (r"(?P<item>.+) is a weapon; suspensions and recalls are for lots", "ammo.msg.weapon_status"),
    (f"{_Q} is not one of suspended, recalled, released", "ammo.msg.status"),
    (r"a condition code is one of (?P<allowed>[A-Z, ]+) \((?P<source>.+)\)", "ammo.msg.code"),
    (r"a condition code goes with a suspension, not a lot (?P<status>\S+)", "ammo.msg.code_not_suspension"),
    (f"{_Q} is not a date \\(YYYY-MM-DD\\) or a date and time", "ammo.msg.since"),
    (r"your role does not allow this at every holder of the lot", "ammo.msg.deny_held"),
    # refusals (PermissionDenied)
    (r"your role does not allow this", "msg.deny"),
    (r"your role does not allow this at (?P<code>\S+)", "msg.deny_at"),
    (r"your role does not allow recording an? (?P<kind>\w+) at (?P<code>\S+)", "msg.deny_record_kind"),
    (r"your role does not allow recording movements", "msg.deny_record"),
    (r"you may grant roles only inside the part of the tree you administer", "msg.deny_grant"),
    (r"the form has expired or did not come from this site: reload it and try again", "msg.deny_csrf"),
    (r"you may confirm only what arrives where your role records movements; (?P<code>\S+) is not such a place",
     "msg.deny_confirm_at"),
    (r"you recorded this movement: someone at the receiving end confirms it", "msg.deny_confirm_own"),
    # the rest
    (r"sign in first", "msg.sign_in_first"),
    (r"wrong name or password", "login.refused"),
    (r"too many failed sign-ins: wait a few minutes and try again", "login.throttled"),
    (r"another writer appended to the ledger at the same time; try again", "msg.busy"),
    (r"the ledger head moved while posting; try again", "msg.busy"),
    (r"an unexpected error occurred; it has been logged", "msg.internal"),
    (r"Not Found", "error.title.not_found"),
    (r"Method Not Allowed", "error.title.method_not_allowed"),
]]

# "a <kind> <rule>" ("an issue ..."): the rules of each movement kind (domain.movements.check_kind_rules).
_KIND_RULE = re.compile(r"^(?P<article>an?) (?P<kind>[a-z]+) (?P<rule>.+)$")
RULES: list[tuple[re.Pattern[str], str]] = [(re.compile(f"^{p}$"), k) for p, k in [
    (r"comes from supply:<country>", "rule.from_supply"),
    (r"goes to a real holder", "rule.to_real"),
    (r"comes from a real holder", "rule.from_real"),
    (r"goes to expended", "rule.to_expended"),
    (r"needs a reason \((?P<allowed>.*)\)", "rule.reason"),
    (r"goes to lost", "rule.to_lost"),
    (r"must cite its incident report", "rule.incident"),
    (r"comes from recovered:<source> or lost", "rule.from_recovered"),
    (r"must cite its recovery record", "rule.recovery"),
    (r"goes to destroyed or handed-over:<state>", "rule.to_disposal"),
    (r"by destruction needs a witness", "rule.witness"),
    (r"by handover needs the receipt's reference", "rule.handover"),
    (r"moves between a real holder and count-adjustment", "rule.adjustment"),
    (r"must cite its approved stock count", "rule.count"),
    (r"must cite the entry it undoes", "rule.reverses"),
]]

_MOVEMENT_PREFIX = re.compile(r"^movement (?P<n>\d+): ")


def _values(t: Translator, groups: dict[str, str]) -> dict[str, str]:
    """Translate the groups that name a kind (of movement or of holder); keep the others."""
    out = dict(groups)
    if "kind" in out and f"kind.{out['kind']}" in t.texts:
        out["kind"] = t(f"kind.{out['kind']}")
    if "hkind" in out and f"kindh.{out['hkind']}" in t.texts:
        out["hkind"] = t(f"kindh.{out['hkind']}")
    return out


def detail(t: Translator, english: str) -> str:
    """Translate one English detail, or return it unchanged when no phrasing matches."""
    numbered = _MOVEMENT_PREFIX.match(english)
    if numbered:  # "movement 2: ..." (one of several posted together): the prefix and the rest
        return t("err.movement_prefix", n=numbered["n"]) + detail(t, english[numbered.end():])
    for pattern, key in DETAILS:
        found = pattern.match(english)
        if found:
            return t(key, **_values(t, found.groupdict()))
    found = _KIND_RULE.match(english)
    if found:
        for pattern, key in RULES:
            rule = pattern.match(found["rule"])
            if rule:
                kind = _values(t, {"kind": found["kind"]})["kind"]
                groups = rule.groupdict()
                if key == "rule.reason":  # the expenditure reasons, as the reader's language names them
                    groups["allowed"] = ", ".join(t(f"reason.{r}") if f"reason.{r}" in t.texts else r
                                                  for r in (x.strip() for x in groups["allowed"].split(",")))
                return t("msg.kind_rule", article=found["article"], kind=kind, rule=t(key, **groups))
    return english


def localize(exc: WamError, t: Translator) -> str:
    """The message of ``exc`` in ``t``'s language (English: exactly as raised)."""
    if t.lang == DEFAULT:
        return exc.message
    if isinstance(exc, InvalidInput):
        return invalid(t, detail(t, exc.detail), field=exc.field, row=exc.row)
    if isinstance(exc, NotFound):
        what = t(f"what.{exc.what}") if f"what.{exc.what}" in t.texts else exc.what
        return t("err.not_found", what=what, key=exc.key)
    if isinstance(exc, PostingRejected):
        return _refused(exc, t)
    if exc.code == "confirmation_refused":
        return _confirmation_refused(exc, t)
    title = t(f"error.title.{exc.code}") if f"error.title.{exc.code}" in t.texts else t("error.title.error")
    return t("err.other", title=title, detail=detail(t, exc.detail))


def field_name(t: Translator, field: str) -> str:
    """A field as the reader's language names it ("serials" -> "numéros de série"); unknown ones as sent."""
    key = f"field.{field}"
    return t(key) if key in t.texts else field


def invalid(t: Translator, text: str, *, field: str | None, row: int | None = None) -> str:
    """The top-level phrase of invalid input ("Invalid input in field X") around a translated detail."""
    if field is not None:
        field = field_name(t, field)
    if field is not None and row is not None:
        return t("err.invalid_row_field", row=row, field=field, detail=text)
    if field is not None:
        return t("err.invalid_field", field=field, detail=text)
    if row is not None:
        return t("err.invalid_row", row=row, detail=text)
    return t("err.invalid", detail=text)


def _refused(exc: PostingRejected, t: Translator) -> str:
    """"Refused by law N (its name): detail (item X, holder Y)", keeping post_all's "movement N:" prefix."""
    prefix = ""
    numbered = _MOVEMENT_PREFIX.match(exc.message)
    if numbered:
        prefix = t("err.movement_prefix", n=numbered["n"])
    text = detail(t, exc.detail)
    if exc.law is None:
        body = t("err.refused", detail=text)
    else:
        law_name = t(f"law.{exc.law}") if f"law.{exc.law}" in t.texts else ""
        body = t("err.refused_by_law", law=exc.law, law_name=law_name, detail=text,
                 item=exc.item or "-", holder=exc.holder or "-")
    return prefix + body


def _confirmation_refused(exc: WamError, t: Translator) -> str:
    from wam.domain.timefmt import iso

    reason = getattr(exc, "reason", "")
    at = getattr(exc, "at", None)
    values = {"uid": getattr(exc, "uid", ""), "by": getattr(exc, "by", "") or "",
              "at": iso(at)[:16].replace("T", " ") if at is not None else ""}
    key = f"confirm.refused_{reason}"
    text = t(key, **values) if key in t.texts else detail(t, exc.detail)
    return t("err.other", title=t("error.title.confirmation_refused"), detail=text)


# pydantic's error types -> catalog keys, for request validation errors in another language
PYDANTIC = {
    "missing": "msg.required",
    "string_too_long": "msg.too_long_pydantic",
    "string_too_short": "msg.too_short",
    "greater_than_equal": "msg.at_least",
    "less_than_equal": "msg.at_most",
    "int_parsing": "msg.not_whole_number",
    "int_type": "msg.not_whole_number",
    "string_pattern_mismatch": "msg.control",
    "enum": "msg.not_allowed_value",
    "json_invalid": "msg.not_json",
}


def validation(t: Translator, error: dict, field: str | None, english: str) -> str:
    """A request validation error (pydantic) in ``t``'s language; ``english`` is what English readers get."""
    if t.lang == DEFAULT:
        return english
    key = PYDANTIC.get(str(error.get("type", "")))
    ctx = {k: str(v) for k, v in (error.get("ctx") or {}).items()}
    try:
        text = t(key, **ctx) if key else str(error.get("msg", ""))
    except (KeyError, IndexError):  # a pydantic version with other context names: keep its words
        text = str(error.get("msg", ""))
    return invalid(t, text, field=field)
