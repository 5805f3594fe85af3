"""Fuzzing the spec reader and the CLI in process: every malformed spec is read or refused in one line."""

import os
import random

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from symdrop.errors import SpecError
from symdrop.model.spec import parse_spec, read_document

from .fuzzing import case, run_cli
from .fuzzing_templates import run_templates, template_case

pytestmark = pytest.mark.slow  # thousands of specs in CI, each through the reader or the CLI

CI = bool(os.environ.get("CI"))


def fuzz(examples: int):
    """Derandomised (the same examples on every run), ``examples`` of them in CI, a tenth elsewhere."""
    return settings(max_examples=examples if CI else examples // 10, derandomize=True, deadline=None, database=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])


# A seed, not hypothesis's own random: four times faster, and benchmarks/fuzz_specs.py draws the same cases.
SEEDS = st.integers(0, 2**32 - 1)


@fuzz(2000)
@given(SEEDS)
def test_the_reader_builds_a_network_or_refuses_in_one_line(seed):
    suffix, text = case(random.Random(seed))
    try:
        parse_spec(read_document(text, json_format=suffix == ".json"))
    except SpecError as error:  # any other exception fails the test
        assert "\n" not in str(error) and len(str(error)) < 400


@fuzz(2000)
@given(SEEDS)
def test_the_cli_exits_0_or_2_with_one_line(tmp_path, seed):
    suffix, text = case(random.Random(seed))
    path = tmp_path / f"spec{suffix}"
    path.write_text(text, encoding="utf-8", errors="surrogatepass")
    outcome, err = run_cli(path)
    assert outcome in ("accepted", "rejected"), err
    assert len(err) < 400


@fuzz(30)
@given(SEEDS)
def test_a_hostile_template_folder_runs_no_code_and_fails_in_one_line(tmp_path_factory, seed):
    base = tmp_path_factory.mktemp("templates")
    (base / "mine").mkdir()
    template_case(random.Random(seed), base / "mine", base / "ran", base / "secret.txt")
    outcome, err = run_templates(base / "mine", base / "ran")
    assert outcome in ("accepted", "rejected"), err
