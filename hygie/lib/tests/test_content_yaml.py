from pathlib import Path

import pytest
import yaml
from django.conf import settings

from hygie.lib import content
from hygie.lib.content import ContentError, parse_yaml

CONTENT = Path(settings.BASE_DIR) / "content"


def shipped_yaml() -> list[str]:
    """The YAML of every shipped content file (the capsules' front matter included)."""
    texts = [p.read_text(encoding="utf-8") for p in sorted(CONTENT.rglob("*.yaml"))]
    for capsule in sorted((CONTENT / "capsules").glob("*/*.md")):
        texts.append(capsule.read_text(encoding="utf-8")[4:].split("\n---\n", 1)[0])
    return texts


def test_libyaml_parses_the_shipped_content():
    assert yaml.__with_libyaml__, "PyYAML was installed without libyaml"
    assert content.SafeLoader is yaml.CSafeLoader


def test_every_shipped_file_reads_the_same_as_with_the_pure_python_parser():
    texts = shipped_yaml()
    assert len(texts) > 60
    for text in texts:
        assert parse_yaml(Path("shipped.yaml"), text) == yaml.safe_load(text)


@pytest.mark.parametrize(
    "text", ["a: [1, 2", "a: b: c", "- x\ny: 1", "!!python/object:os.system echo"]
)
def test_bad_or_unsafe_yaml_is_an_error_naming_the_file(text):
    with pytest.raises(ContentError, match=r"^bad\.yaml: cannot be read"):
        parse_yaml(Path("bad.yaml"), text)
