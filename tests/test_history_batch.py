"""A zip of letters: unsafe members refuse the zip; each letter is matched to the force it names."""

import io
import zipfile
from types import SimpleNamespace

import pytest

from forces.models import Force
from history.batch import forces_named, letters_in_zip
from history.reading import UnreadableDocument
from tests.test_history_engine import SEEDS, fixture_answers


def make_zip(members: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buf.getvalue()


def test_letters_are_taken_and_other_files_skipped():
    data = make_zip(
        {"letters/gwent.txt": b"Gwent", "__MACOSX/x.txt": b"", "notes.exe": b"MZ", "a/b/dp.pdf": b"%PDF"}
    )
    letters = letters_in_zip(data)
    assert [(x.name, x.kind) for x in letters] == [("gwent.txt", "txt"), ("dp.pdf", "pdf")]


@pytest.mark.parametrize(
    "name", ["../../x.txt", "/etc/passwd.txt", "a/../../x.txt", "C:/x.txt", "..\\..\\x.txt"]
)
def test_a_path_that_leaves_the_folder_refuses_the_zip(name):
    with pytest.raises(UnreadableDocument, match="leaves the folder"):
        letters_in_zip(make_zip({"ok.txt": b"fine", name: b"evil"}))


def test_a_zip_bomb_is_refused_before_unpacking():
    with pytest.raises(UnreadableDocument, match="unpacks"):
        letters_in_zip(make_zip({f"{i}.txt": b"0" * (60 * 1024 * 1024) for i in range(4)}))


def test_a_damaged_zip_is_refused():
    with pytest.raises(UnreadableDocument, match="damaged"):
        letters_in_zip(b"PK\x03\x04 broken")


def test_each_seed_names_its_own_force_and_no_other():
    forces = [
        SimpleNamespace(name=name, names=(name,), commissioner_name=commissioner)
        for name, commissioner in (
            ("Gwent Police", "Jeff Cuthbert"),
            ("Dyfed-Powys Police", "Dafydd Llywelyn"),
            ("Avon and Somerset Constabulary", "Mark Shelford"),
            ("Staffordshire Police", "Ben Adams"),
            ("Gloucestershire Constabulary", "Chris Nelson"),
        )
    ]
    expected = {
        "gwent": "Gwent Police",
        "dyfed-powys": "Dyfed-Powys Police",
        "avon-and-somerset": "Avon and Somerset Constabulary",
        "staffordshire": "Staffordshire Police",
        "gloucestershire": "Gloucestershire Constabulary",
    }
    for slug, name in expected.items():
        text = (SEEDS / fixture_answers()[slug]["seed_file"]).read_text(encoding="utf-8")
        assert [f.name for f in forces_named(text, forces)] == [name], slug


@pytest.mark.django_db
def test_a_welsh_letter_names_its_force_by_its_welsh_name(world):
    """A letter that calls the force "Heddlu Gwent" is Gwent's; one that names only Heddlu
    Dyfed-Powys, uploaded for Gwent, is another force's."""
    from history.services import _other_force_named

    forces = list(Force.objects.filter(slug__in=["gwent", "dyfed-powys"]))
    assert [f.slug for f in forces_named("Llythyr gan Gomisiynydd Heddlu Gwent.", forces)] == ["gwent"]
    assert _other_force_named(world.gwent, "Ymateb Heddlu Gwent i’r adroddiad.") is None
    assert _other_force_named(world.gwent, "Ymateb Heddlu Dyfed-Powys i’r adroddiad.") == world.dyfed
