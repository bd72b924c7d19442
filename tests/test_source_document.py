"""The source document ships with the default pack, and `advisor rules show-source` prints it."""

from __future__ import annotations

from advisor.cli import cli
from advisor.resources import default_pack_path, rules_dir


def test_the_pack_cites_a_shipped_document(pack):
    """The default pack's source.document is a file beside it, under rules/sources."""
    assert pack.source["document"] == "sources/docker-vs-vm.ru.txt"
    assert (default_pack_path().parent / pack.source["document"]).is_file()


def test_show_source_prints_the_document_the_claims_quote(runner, pack):
    """show-source prints the document, the one whose sections the claims cite."""
    result = runner.invoke(cli, ["rules", "show-source"])
    assert result.exit_code == 0, result.output
    assert result.stdout == (rules_dir() / "sources" / "docker-vs-vm.ru.txt").read_text(encoding="utf-8")
    text = result.stdout.replace("*", "")
    for claim in pack.claims.values():
        assert claim.section.split(" (")[0] in text, claim.id


def test_show_source_path_is_one_a_user_can_open(runner):
    """--path prints the installed file's absolute path, which opens as the document."""
    result = runner.invoke(cli, ["rules", "show-source", "--path"])
    assert result.exit_code == 0
    path = result.stdout.strip()
    assert path.startswith("/") and path.endswith("/sources/docker-vs-vm.ru.txt")
    with open(path, encoding="utf-8") as fh:
        assert "Docker и виртуальные машины" in fh.read()


def test_show_source_refuses_a_document_outside_the_pack(runner, write):
    """A pack whose source.document leaves its folder, or names no file, is refused in one line."""
    base = "pack: p\nclaims: {C1: {section: s, quote: q, text: t}}\noptions: {a: {title: A, summary: a}}\n"
    base += "rules: [{id: r, dimension: resources, when: {density: high}, effects: {a: 1}, because: b, "
    base += "sources: [C1]}]\n"
    for document, message in (("../../etc/passwd", "is outside the rule pack's folder"),
                              ("missing.txt", "no such file beside the rule pack")):
        pack = write("packs/p.yaml", base + f"source: {{title: T, document: {document}}}\n")
        result = runner.invoke(cli, ["rules", "show-source", "--rules", str(pack)])
        assert result.exit_code == 2
        sep = ": " if document == "missing.txt" else " "
        assert result.stderr == f"advisor: {pack}: source.document: '{document}'{sep}{message}\n"

