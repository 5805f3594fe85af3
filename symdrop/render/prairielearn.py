"""A sheet as a PrairieLearn course folder: ``questions/<qid>/`` per kind, whose ``server.py``
draws every variant with symdrop and grades exactly with symdrop's own grading."""

import json
import uuid
from dataclasses import replace

from ..exercises.sheet import Sheet
from .env import render_document
from .options import RenderOptions
from .prairielearn_server import CONFIG, FEEDBACK, FIGURE, inputs_of, rubric_json

# symdrop's namespace for the uuids of its PrairieLearn questions (uuid5 of it and a question's
# kind, seed and options): the same question keeps its uuid, so PrairieLearn keeps its statistics.
NAMESPACE = uuid.UUID("6f0c5a52-3d8e-5b5e-9c1a-73796d64726f")
TOPIC = "Dropout"


def qid(kind, seed: int) -> str:
    """The question's folder name: ``symdrop-forward-seed-7`` (``:`` of a kind's option as ``-``)."""
    return f"symdrop-{kind.name.replace(':', '-')}-seed-{seed}"


def question_config(sheet: Sheet, kind, options: RenderOptions, title: str, rubric=None) -> dict:
    """``symdrop.json``: all server.py needs, as data: the kind, the seed and options its variants
    are drawn with, how they render, the rubric, the inputs question.html has, the title."""
    e = next(e for e in sheet.exercises if e.kind is kind)
    o = sheet.options
    return {
        "kind": kind.name, "seed": sheet.seed, "title": title,
        "options": {"shape": list(o.shape), "values": o.values, "low": o.low, "high": o.high,
                    "keep": [str(q) for q in o.keep], "answers": o.answers, "activation": o.activation,
                    "digits": o.digits},
        "render": {"decimals": options.decimals, "digits": options.digits, "diagram": options.diagram,
                   "edge_weights": options.edge_weights},
        "rubric": rubric_json() if rubric is None else rubric_json(rubric),
        "inputs": [i.as_json() for i, _ in inputs_of(e)],
    }


def question_uuid(config: dict) -> str:
    """uuid5 of :data:`NAMESPACE` and what draws the variants: the same kind, seed and options
    give the same uuid on every run, whatever the rubric, title or rendering."""
    drawn = {k: config[k] for k in ("kind", "seed", "options")}
    return str(uuid.uuid5(NAMESPACE, json.dumps(drawn, sort_keys=True, separators=(",", ":"))))


def info_json(config: dict, kind) -> dict:
    """``info.json``: what PrairieLearn's schema of a question asks (uuid, type, title, topic), tags."""
    return {"uuid": question_uuid(config), "title": config["title"], "topic": TOPIC,
            "tags": ["symdrop", kind.name, f"seed {config['seed']}"], "type": "v3",
            "partialCredit": True, "singleVariant": False}


def sheet_prairielearn(sheet: Sheet, options: RenderOptions = RenderOptions(), name: str | None = None,
                       rubric=None) -> dict[str, str]:
    """The course folder's files, by path inside it: for each kind of the sheet,
    ``questions/<qid>/`` with ``info.json``, ``question.html``, ``server.py`` and ``symdrop.json``
    (``name``: the questions' title, else the kind's own; ``rubric``: grade's Rubric the
    questions score by, else its default). Users' text is data: JSON-escaped in
    the JSON files, shown through PrairieLearn's escaping Mustache, never in server.py."""
    options = replace(options.for_sheet(sheet), templates=())
    files = {}
    for kind in sheet.kinds:
        title = name or f"symdrop: {kind.title} (seed {sheet.seed})"
        config = question_config(sheet, kind, options, title, rubric)
        folder = f"questions/{qid(kind, sheet.seed)}/"
        groups = {}
        for spec in config["inputs"]:
            groups.setdefault(spec["part"], []).append(spec)
        layers = any(part != "y" for part in groups)
        files[folder + "info.json"] = json.dumps(info_json(config, kind), indent=2, ensure_ascii=False) + "\n"
        files[folder + "question.html"] = render_document("question", "prairielearn", options, groups=list(groups.values()),
                                                          layers=layers, figure=FIGURE, feedback=FEEDBACK)
        files[folder + "server.py"] = render_document("server", "prairielearn", options, config=CONFIG)
        files[folder + CONFIG] = json.dumps(config, indent=2, ensure_ascii=False, sort_keys=True) + "\n"
    return files
