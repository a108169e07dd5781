"""Definition files as text: reading a folder, YAML 1.2, merging files, locating problems."""

from __future__ import annotations

from pathlib import Path

from servanda.specs.sources import Problems, dotted, merge, parse_text, read_sources

AGREEMENT = """\
agreements:
  - id: house
    level: corporate
    objectives:
      - {metric: resolution, target: 4h}
"""


def parsed(files: dict[str, str]) -> tuple[dict[str, object], Problems]:
    problems = Problems()
    trees = {}
    for name, text in files.items():
        tree = parse_text(name, text, problems)
        assert tree is not None, problems.issues
        trees[name] = tree
    return merge(trees, problems), problems


def test_a_folder_reads_its_yaml_files_sorted_and_recursively_and_nothing_else(tmp_path: Path):
    (tmp_path / "b.yaml").write_text("provider: B\n", encoding="utf-8")
    (tmp_path / "nested").mkdir()
    (tmp_path / "nested" / "a.yml").write_text("timezone: UTC\n", encoding="utf-8")
    (tmp_path / "notes.txt").write_text("not definitions", encoding="utf-8")
    (tmp_path / "odd.yaml").mkdir()  # a folder named like a file is skipped
    texts = read_sources(tmp_path)
    assert list(texts) == [str(tmp_path / "b.yaml"), str(tmp_path / "nested" / "a.yml")]
    assert texts[str(tmp_path / "b.yaml")] == "provider: B\n"


def test_a_single_file_is_read_whatever_its_suffix_and_a_missing_path_is_empty(tmp_path: Path):
    path = tmp_path / "definitions.txt"
    path.write_text("provider: X\n", encoding="utf-8")
    assert read_sources(path) == {str(path): "provider: X\n"}
    assert read_sources(tmp_path / "missing.yaml") == {}


def test_yaml_1_2_keeps_norway_and_clock_times_as_text() -> None:
    tree = parse_text("d.yaml", "a: NO\nb: 1:30\nc: yes\nd: 2026-01-01\n", Problems())
    assert tree is not None
    assert (tree["a"], tree["b"], tree["c"]) == ("NO", "1:30", "yes")
    assert str(tree["d"]) == "2026-01-01"


def test_an_empty_file_is_an_empty_mapping() -> None:
    problems = Problems()
    assert parse_text("empty.yaml", "# nothing yet\n", problems) == {}
    assert problems.issues == []


def test_invalid_yaml_is_located_and_described_without_parser_jargon() -> None:
    problems = Problems()
    assert parse_text("d.yaml", "calendars:\n  office: {timezone: UTC\n", problems) is None
    (issue,) = problems.issues
    assert (issue.file, issue.line) == ("d.yaml", 3)
    assert issue.message.startswith("this is not valid YAML: ")
    assert "flow mapping" not in issue.message
    assert "{...} mapping" in issue.message


def test_a_file_that_is_a_list_is_refused_at_its_start_naming_the_sections() -> None:
    problems = Problems()
    assert parse_text("d.yaml", "- a\n- b\n", problems) is None
    (issue,) = problems.issues
    assert (issue.line, issue.column) == (1, 1)
    assert issue.message.endswith(
        "provider, timezone, vocabulary, calendars, services, customers, agreements"
    )


def test_sections_of_several_files_merge_and_agreements_keep_file_order() -> None:
    second = AGREEMENT.replace("house", "extra")
    merged, problems = parsed({"a.yaml": "services:\n  email: {name: Email}\n" + AGREEMENT,
                               "b.yaml": "services:\n  web: {name: Web}\n" + second})  # fmt: skip
    assert problems.issues == []
    assert merged["services"] == {"email": {"name": "Email"}, "web": {"name": "Web"}}
    assert [a["id"] for a in merged["agreements"]] == ["house", "extra"]  # type: ignore[attr-defined]
    assert merged["calendars"] == {}


def test_a_path_in_the_merged_document_is_located_in_the_file_that_holds_it() -> None:
    _, problems = parsed({"a.yaml": "provider: P\n", "b.yaml": "timezone: UTC\n" + AGREEMENT})
    assert problems.where(("agreements", 0, "objectives", 0, "target")) == "b.yaml:6:38"
    assert problems.where(("agreements", 0, "level"), at_key=True) == "b.yaml:4:5"
    assert problems.where(("agreements", 0, "level")) == "b.yaml:4:12"
    # a key that is not in the file: the closest place that is
    assert problems.where(("agreements", 0, "objectives", 0, "goal")) == "b.yaml:6:9"
    # nothing known at all: the first file
    assert problems.where(("customers", "nobody")) == "a.yaml:1:1"


def test_a_second_agreement_with_the_same_id_is_refused_at_both_places() -> None:
    merged, problems = parsed({"a.yaml": AGREEMENT, "b.yaml": "\n" + AGREEMENT})
    (issue,) = problems.issues
    assert (issue.file, issue.line, issue.column) == ("b.yaml", 3, 9)
    assert issue.message == "agreement 'house' is defined twice: here and at a.yaml:2:9"
    assert len(merged["agreements"]) == 1  # type: ignore[arg-type]


def test_a_scalar_set_in_two_files_is_refused_at_the_second() -> None:
    _, problems = parsed({"a.yaml": "timezone: UTC\n", "b.yaml": "provider: P\ntimezone: UTC\n"})
    (issue,) = problems.issues
    assert str(issue) == "b.yaml:2:1: timezone is set twice: here and at a.yaml:1:11"


def test_sections_of_the_wrong_shape_are_refused_and_empty_ones_ignored() -> None:
    merged, problems = parsed(
        {"a.yaml": "calendars: [office]\nagreements: {id: x}\nservices:\ncustomers:\n"}
    )
    assert [issue.message for issue in problems.sorted()] == [
        "calendars must be a mapping from each calendar's id to its calendar",
        "agreements must be a list of agreements (- id: ...)",
    ]
    assert merged == {"calendars": {}, "services": {}, "customers": {}, "agreements": []}


def test_issues_sort_by_file_line_and_column() -> None:
    problems = Problems()
    problems.add_at("b.yaml", 1, 1, "third")
    problems.add_at("a.yaml", 10, 2, "second")
    problems.add_at("a.yaml", 2, 5, "first")
    assert [issue.message for issue in problems.sorted()] == ["first", "second", "third"]


def test_dotted_paths_read_like_the_document() -> None:
    assert (
        dotted(("agreements", 3, "objectives", 0, "target")) == "agreements[3].objectives[0].target"
    )
    assert dotted(("customers", "acme", "fees")) == "customers.acme.fees"
    assert dotted(()) == ""
