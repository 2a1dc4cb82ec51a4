import pytest

from hygie.lib.content import (
    ContentError,
    checksum,
    content_files,
    read_yaml,
    split_front_matter,
)


class KindError(ContentError):
    title = "Invalid kind files"


def test_an_error_lists_every_problem_under_its_kind():
    error = KindError(["a.yaml: missing field 'title'", "b.yaml: cannot be read"])
    assert error.problems == ["a.yaml: missing field 'title'", "b.yaml: cannot be read"]
    assert str(error) == (
        "Invalid kind files:\n  a.yaml: missing field 'title'\n  b.yaml: cannot be read"
    )
    assert str(KindError("a.yaml: empty")) == "a.yaml: empty"
    assert isinstance(error, ValueError)


def test_unreadable_yaml_and_missing_files_name_the_file(tmp_path):
    (tmp_path / "broken.yaml").write_text("a: [1, 2\n", encoding="utf-8")
    with pytest.raises(KindError, match=r"^broken\.yaml: cannot be read"):
        read_yaml(tmp_path / "broken.yaml", KindError)
    with pytest.raises(ContentError, match=r"^absent\.yaml: cannot be read"):
        read_yaml(tmp_path / "absent.yaml")
    (tmp_path / "good.yaml").write_text("a: 1\n", encoding="utf-8")
    assert read_yaml(tmp_path / "good.yaml") == {"a": 1}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("title: x\n", "must start with a '---' front matter line"),
        ("---\ntitle: x\n", "the front matter is not closed by '---'"),
        ("---\n- a list\n---\nbody", "the front matter must be a mapping"),
        ("---\ntitle: [x\n---\nbody", "cannot be read"),
    ],
)
def test_a_bad_front_matter_names_the_file_and_the_fault(tmp_path, text, message):
    with pytest.raises(ContentError) as error:
        split_front_matter(tmp_path / "capsule.md", text)
    assert str(error.value).startswith("capsule.md: ")
    assert message in str(error.value)


def test_a_front_matter_gives_its_mapping_and_the_body(tmp_path):
    meta, body = split_front_matter(tmp_path / "c.md", "---\ntitle: Titre\n---\n\nTexte.\n")
    assert (meta, body) == ({"title": "Titre"}, "Texte.")


def test_files_come_in_a_stable_order_and_a_changed_text_changes_the_checksum(tmp_path):
    for name in ("b", "a"):
        (tmp_path / "fr").mkdir(exist_ok=True)
        (tmp_path / "fr" / f"{name}.md").write_text(name, encoding="utf-8")
    assert [p.name for p in content_files(tmp_path, "*/*.md")] == ["a.md", "b.md"]
    assert checksum("texte") == checksum("texte") != checksum("texte.")
