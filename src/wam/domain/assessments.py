"""Site security assessments: a checklist for armouries and ammunition stores, a score and a level per
site, an action plan with owners and dates, and the history of a site's assessments.

The checklist is versioned (:data:`CHECKLIST`): an assessment keeps the version it was answered
against, so that a later checklist never changes an old score. Each question has its area (perimeter,
locks, key control, lighting, guards, alarms, the two-person rule, records, fire and explosives safety),
its guidance, its source, whether it is critical and for which level.

The level follows the method of the IATG risk reduction process levels as UN SaferGuard describes its
estimator [V] (reference standards.md 1.2): "a site's score must meet or exceed the appropriate score
threshold and all 'critical' questions for the RRPL must be satisfactorily answered". The estimator's
own weights and thresholds are not published (UNSURE in the reference), so the weights and
thresholds here are **wam's own**, stated in :data:`THRESHOLDS`, and a site's level is called a
*good-practice level*, never an RRPL. The questions are derived from the topics of MOSAIC 05.20
(stockpile management: weapons) and of the IATG; their clauses have not been checked against the
modules' text (reference standards.md 6), and each question's ``source`` says so.

Pure: the services keep assessments as records of the records chain and replay them with :func:`replay`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import Any

from .errors import InvalidInput
from .text import clean_text

VERSION = "wam-site-security-2026.1"
_MOSAIC = ("after MOSAIC 05.20 (stockpile management: weapons), {topic}; the module's clause is not yet checked "
           "against its text (reference standards.md 6)")
_IATG = ("after the IATG ({topic}); the clause is not yet checked against the IATG text (reference standards.md "
         "0, 10)")


class Applies(StrEnum):
    ARMOURY = "armoury"
    AMMUNITION = "ammunition"
    BOTH = "both"


class Answer(StrEnum):
    YES = "yes"
    PARTLY = "partly"
    NO = "no"
    NOT_APPLICABLE = "not_applicable"


CREDIT = {Answer.YES: 1.0, Answer.PARTLY: 0.5, Answer.NO: 0.0}


@dataclass(frozen=True, slots=True)
class Question:
    id: str
    area: str
    text: str
    guidance: str
    source: str
    applies: Applies = Applies.BOTH
    critical_for: int | None = None  # the lowest level for which it is critical
    weight: int = 1


def _q(qid: str, area: str, text: str, guidance: str, source: str, applies: Applies = Applies.BOTH,
       critical_for: int | None = None, weight: int = 1) -> Question:
    return Question(qid, area, text, guidance, source, applies, critical_for, weight)


QUESTIONS: tuple[Question, ...] = (
    _q("perimeter-fence", "perimeter", "Is the store inside a fence or wall with a single controlled entrance?",
       "A perimeter that can be walked round and checked; gaps, climbable points and vegetation cleared.",
       _MOSAIC.format(topic="physical security"), critical_for=1, weight=3),
    _q("perimeter-checked", "perimeter", "Is the perimeter inspected at least daily and the inspection recorded?",
       "A patrol log signed by whoever walked it, with what was found.", _MOSAIC.format(topic="physical security")),
    _q("building-construction", "locks", "Are walls, roof, doors and windows strong enough to delay a forced entry?",
       "Steel doors, barred or no windows, a roof that cannot be lifted; weapons in racks or containers.",
       _MOSAIC.format(topic="physical security"), weight=2),
    _q("locks-high-security", "locks", "Are doors and racks closed with high-security locks?",
       "Locks and hasps of the same strength as the door; padlocks that cannot be cut with hand tools.",
       _MOSAIC.format(topic="physical security"), critical_for=1, weight=2),
    _q("weapons-separate", "locks", "Are weapons stored apart from their ammunition and from key parts (bolts)?",
       "Removing bolts or firing mechanisms to a separate locked container makes a stolen weapon useless.",
       _MOSAIC.format(topic="storage of weapons"), applies=Applies.ARMOURY, critical_for=2),
    _q("keys-register", "key control", "Is every key in a key register, issued and returned against a signature?",
       "A register with the key, who took it, when, and when it came back; spare keys sealed.",
       _MOSAIC.format(topic="key control"), critical_for=1, weight=2),
    _q("keys-custody", "key control", "Are the keys kept by named persons, never by the guards of the same store?",
       "Whoever guards the store must not also be able to open it alone.", _MOSAIC.format(topic="key control"),
       critical_for=2),
    _q("two-person", "two-person rule", "Does opening the store need two authorised persons present?",
       "Two people, two keys or two codes; both names in the access log.",
       _MOSAIC.format(topic="access control"), critical_for=2, weight=2),
    _q("access-log", "two-person rule", "Is every entry to the store recorded (who, when, why)?",
       "An access log kept at the door and checked by the store's officer.", _MOSAIC.format(topic="access control")),
    _q("lighting", "lighting", "Is the perimeter and the store's entrance lit at night?",
       "Light that shows the fence line and the door to the guards, with a backup for power cuts.",
       _MOSAIC.format(topic="physical security")),
    _q("guards", "guards", "Is the store guarded at all times, with guard orders and reliefs written down?",
       "Written guard orders; guards briefed; reliefs logged; guards checked by an officer.",
       _MOSAIC.format(topic="physical security"), critical_for=1, weight=2),
    _q("alarm", "alarms", "Is there an intruder alarm or a means for the guards to raise one at once?",
       "An alarm on the doors, or a radio or telephone that reaches a reaction force.",
       _MOSAIC.format(topic="physical security"), critical_for=3),
    _q("records-current", "records", "Does the store's ledger match what is on the shelves today?",
       "The book figure for each weapon and lot agrees with the last count; differences are explained.",
       _MOSAIC.format(topic="record keeping and accounting"), critical_for=1, weight=3),
    _q("counts-regular", "records", "Are stocks counted on a schedule by someone who does not keep them?",
       "A count by a person from outside the store, on the schedule the mission sets.",
       _MOSAIC.format(topic="stock checks"), critical_for=2, weight=2),
    _q("losses-reported", "records", "Are losses and thefts reported at once, and investigated?",
       "Every loss reported through the incident register within the reporting deadline.",
       _MOSAIC.format(topic="reporting losses"), critical_for=1),
    _q("surplus-disposed", "records", "Are surplus, unserviceable and recovered weapons identified and disposed of?",
       "Nothing awaiting disposal for long; destruction witnessed and certified.",
       _MOSAIC.format(topic="surplus identification and disposal")),
    _q("fire-fighting", "fire and explosives safety", "Are fire-fighting equipment and fire orders at the store?",
       "Extinguishers of the right type, checked; fire orders posted; guards trained.",
       _IATG.format(topic="fire safety"), applies=Applies.AMMUNITION, critical_for=1, weight=2),
    _q("mixing-respected", "fire and explosives safety",
       "Are lots stored by compatibility group, with no forbidden mixing (wam ammo check)?",
       "The storage mixing table, not the transport one; conditional mixing checked on site.",
       _IATG.format(topic="IATG 01.50 storage mixing"), applies=Applies.AMMUNITION, critical_for=2, weight=2),
    _q("distances-respected", "fire and explosives safety",
       "Are the quantity distances to inhabited buildings and roads respected (wam ammo check)?",
       "The store's NEQ within what its surveyed distances allow.",
       _IATG.format(topic="IATG 02.20 quantity distances"), applies=Applies.AMMUNITION, critical_for=2, weight=2),
    _q("suspended-segregated", "fire and explosives safety",
       "Are suspended or unserviceable lots marked and kept apart from serviceable stock?",
       "A separate, marked bay; nothing issued from it.", _IATG.format(topic="surveillance and condition"),
       applies=Applies.AMMUNITION, critical_for=3),
)
BY_ID = {q.id: q for q in QUESTIONS}
assert len(BY_ID) == len(QUESTIONS)

# wam's own thresholds (percent of the applicable weight), level by level: see the module docstring
THRESHOLDS: dict[int, float] = {1: 50.0, 2: 75.0, 3: 90.0}
LEVEL_NAMES = {0: "below basic", 1: "basic", 2: "intermediate", 3: "advanced"}


def questions_for(applies: Applies) -> list[Question]:
    return [q for q in QUESTIONS if applies is Applies.BOTH or q.applies in (Applies.BOTH, applies)]


def store_kind(value: object) -> Applies:
    text = str(value or "").strip().lower()
    try:
        return Applies(text)
    except ValueError:
        raise InvalidInput(f"{value!r} is not one of {', '.join(a.value for a in Applies)}", field="kind") from None


def answer(value: object, qid: str) -> Answer:
    text = str(value or "").strip().lower().replace("-", "_").replace(" ", "_")
    aliases = {"y": "yes", "n": "no", "p": "partly", "na": "not_applicable", "n/a": "not_applicable"}
    try:
        return Answer(aliases.get(text, text))
    except ValueError:
        raise InvalidInput(f"{value!r} is not one of yes, partly, no, not_applicable", field=qid) from None


@dataclass(frozen=True, slots=True)
class Score:
    percent: float
    level: int
    failed_critical: tuple[str, ...]  # critical questions (for some level) not answered yes
    unanswered: tuple[str, ...]

    @property
    def level_name(self) -> str:
        return LEVEL_NAMES[self.level]


def score(applies: Applies, answers: Mapping[str, Answer]) -> Score:
    """The weighted score (percent of the applicable weight) and the good-practice level: the highest
    level whose threshold the score meets and whose critical questions (its own and lower levels')
    are all answered yes. An unanswered question counts as no."""
    asked = [q for q in questions_for(applies) if answers.get(q.id) is not Answer.NOT_APPLICABLE]
    total = sum(q.weight for q in asked)
    got = sum(q.weight * CREDIT.get(answers.get(q.id, Answer.NO), 0.0) for q in asked)
    percent = round(100.0 * got / total, 1) if total else 0.0
    failed = tuple(q.id for q in asked if q.critical_for is not None and answers.get(q.id) is not Answer.YES)
    level = 0
    for candidate, threshold in sorted(THRESHOLDS.items()):
        critical_ok = all((BY_ID[qid].critical_for or 0) > candidate for qid in failed)
        if percent >= threshold and critical_ok:
            level = candidate
        else:
            break
    unanswered = tuple(q.id for q in questions_for(applies) if q.id not in answers)
    return Score(percent, level, failed, unanswered)


# the assessment as its records replay it ---------------------------------------------------------

@dataclass
class Action:
    question: str
    text: str
    owner: str
    due: str  # YYYY-MM-DD
    done: bool = False
    done_by: str | None = None


@dataclass
class Assessment:
    id: str
    site: str
    kind: Applies
    version: str
    started_by: str
    state: str = "open"  # open, closed
    answers: dict[str, Answer] = field(default_factory=dict)
    notes: dict[str, str] = field(default_factory=dict)
    actions: list[Action] = field(default_factory=list)
    closed_by: str | None = None

    def score(self) -> Score:
        return score(self.kind, self.answers)


STEPS = ("start", "answer", "action", "action_done", "close")


def apply(assessment: Assessment | None, step: Mapping[str, Any], actor: str) -> Assessment:
    """The assessment after one step (its record's body): the one transition function that taking a
    step and replaying the records both run.

    Raises:
        InvalidInput: a step out of turn or a bad field, naming it.
    """
    name = step.get("step")
    if name not in STEPS:
        raise InvalidInput(f"{name!r} is not a step ({', '.join(STEPS)})", field="step")
    if name == "start":
        if assessment is not None:
            raise InvalidInput("this assessment has started already", field="step")
        kind = store_kind(step.get("kind"))
        if step.get("version") != VERSION:
            raise InvalidInput(f"checklist {step.get('version')!r} is not known (this wam has {VERSION})",
                               field="version")
        return Assessment(str(step["id"]), str(step["site"]), kind, VERSION, actor)
    if assessment is None:
        raise InvalidInput("no such assessment", field="id")
    if assessment.state != "open":
        raise InvalidInput(f"{assessment.id} is closed: start a new assessment", field="step")
    if name == "answer":
        given = step.get("answers") or {}
        if not isinstance(given, Mapping) or not given:
            raise InvalidInput("answer at least one question (QUESTION=yes|partly|no|not_applicable)", field="answers")
        applicable = {q.id for q in questions_for(assessment.kind)}
        for qid, value in given.items():
            if qid not in applicable:
                raise InvalidInput(f"{qid!r} is not a question of the {assessment.kind.value} checklist", field=qid)
            assessment.answers[qid] = answer(value, qid)
        for qid, note in (step.get("notes") or {}).items():
            text = clean_text(note, qid, max_len=2000)
            if text:
                assessment.notes[qid] = text
    elif name == "action":
        qid = str(step.get("question") or "")
        if qid not in BY_ID:
            raise InvalidInput(f"{qid!r} is not a question", field="question")
        text = clean_text(step.get("text"), "text", max_len=500) or BY_ID[qid].guidance
        owner = clean_text(step.get("owner"), "owner", max_len=100)
        if not owner:
            raise InvalidInput("name who owns the action", field="owner")
        assessment.actions.append(Action(qid, text, owner, _due(step.get("due"))))
    elif name == "action_done":
        number = step.get("action")
        if not isinstance(number, int) or not 1 <= number <= len(assessment.actions):
            raise InvalidInput(f"there is no action {number!r}", field="action")
        done = assessment.actions[number - 1]
        if done.done:
            raise InvalidInput(f"action {number} is done already", field="action")
        done.done, done.done_by = True, actor
    else:  # close
        missing = assessment.score().unanswered
        if missing:
            raise InvalidInput(f"answer every question before closing ({len(missing)} left: {', '.join(missing[:3])}"
                               f"{'…' if len(missing) > 3 else ''})", field="answers")
        assessment.state, assessment.closed_by = "closed", actor
    return assessment


def _due(value: object) -> str:
    text = str(value or "").strip()
    try:
        return date.fromisoformat(text).isoformat()
    except ValueError:
        raise InvalidInput(f"{text!r} is not a date (YYYY-MM-DD)", field="due") from None


def replay(steps: Iterable[tuple[Mapping[str, Any], str]]) -> Assessment | None:
    """An assessment from its records' bodies and actors, oldest first."""
    found: Assessment | None = None
    for body, actor in steps:
        found = apply(found, body, actor)
    return found


def answers_from(pairs: Sequence[str]) -> dict[str, str]:
    """``QUESTION=ANSWER`` pairs as typed on the command line."""
    out: dict[str, str] = {}
    for row, text in enumerate(pairs, start=1):
        qid, sep, value = text.partition("=")
        if not sep:
            raise InvalidInput(f"{text!r}: write QUESTION=yes|partly|no|not_applicable", field="answers", row=row)
        out[qid.strip()] = value.strip()
    return out
