"""
Spec constructs the templates cannot render faithfully are refused in one line naming the spec's line; the
cheap ones (integer path parameters, a secret inherited through `allOf`) are rendered correctly instead.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from codegen.__main__ import main
from tests.test_codegen import ROOT, copy_project, run_codegen

SPEC = (ROOT / "openapi.yaml").read_text(encoding="utf-8")


def insert_after(text: str, anchor: str, lines: str, *, start: str = "") -> str:
    """`text` with `lines` inserted after the first line that contains `anchor` (after `start`, if given)."""
    begin = text.index(start) if start else 0
    end = text.index("\n", text.index(anchor, begin)) + 1
    return text[:end] + lines + text[end:]


def line_of(text: str, needle: str, *, start: str = "") -> int:
    """The 1-based line of the first `needle` (after `start`, if given)."""
    begin = text.index(start) if start else 0
    return text[: text.index(needle, begin)].count("\n") + 1


def refusal(tmp_path: Path, spec_text: str, capsys: pytest.CaptureFixture[str]) -> tuple[Path, str]:
    """Run codegen on `spec_text` (checking, so nothing is written); returns the spec's path and stderr."""
    spec = tmp_path / "openapi.yaml"
    spec.write_text(spec_text, encoding="utf-8")
    assert main(["--check", "--spec", str(spec), "--out", str(ROOT)]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.count("\n") == 1, captured.err  # one line: no traceback
    assert "object at 0x" not in captured.err
    return spec, captured.err.rstrip("\n")


def add_schema(text: str, schema: str) -> str:
    return insert_after(text, "  schemas:", schema, start="\ncomponents:")


def test_tagged_union_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = add_schema(
        SPEC,
        "    Subject:\n"
        "      oneOf:\n"
        "        - $ref: '#/components/schemas/Review'\n"
        "        - $ref: '#/components/schemas/Template'\n"
        "      discriminator:\n"
        "        propertyName: kind\n",
    )
    spec, error = refusal(tmp_path, text, capsys)
    assert error == (
        f"{spec}:{line_of(text, '      discriminator:')}: `discriminator` (a tagged union) is not supported: "
        "it would become a plain dict — use one object schema with an enum field for the kind, or teach "
        "codegen tagged unions"
    )


def test_untagged_union_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = add_schema(
        SPEC,
        "    Subject:\n"
        "      anyOf:\n"
        "        - $ref: '#/components/schemas/Review'\n"
        "        - $ref: '#/components/schemas/Template'\n",
    )
    spec, error = refusal(tmp_path, text, capsys)
    assert error == (
        f"{spec}:{line_of(text, '      anyOf:')}: `anyOf` with several non-null schemas is not supported: it "
        "would render as an untagged union — use one schema (`X or null` is fine), or teach codegen unions"
    )


def test_typed_map_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = add_schema(
        SPEC,
        "    Scores:\n      type: object\n      additionalProperties:\n        type: integer\n",
    )
    spec, error = refusal(tmp_path, text, capsys)
    assert error == (
        f"{spec}:{line_of(text, '      additionalProperties:')}: `additionalProperties` with a value schema "
        "(a typed map) is not supported: it would become `dict[str, Any]`, losing the value type — use "
        "`additionalProperties: true` and describe the values, or named `properties`"
    )


def test_array_default_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = insert_after(
        SPEC,
        "      properties:",
        "        tags:\n          type: array\n          items:\n            type: string\n"
        "          default: []\n",
        start="    ReviewCreate:",
    )
    spec, error = refusal(tmp_path, text, capsys)
    assert error == (
        f"{spec}:{line_of(text, 'default: []')}: an array default ([]) is not supported: it would be dropped "
        "— remove `default:` and say the default in `description`"
    )


@pytest.mark.parametrize("style", ["explode: false", "style: pipeDelimited"])
def test_array_query_parameter_not_sent_as_repeated_keys_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], style: str
) -> None:
    text = insert_after(
        SPEC,
        "      parameters:",
        f"        - name: tags\n          in: query\n          {style}\n"
        "          schema:\n            type: array\n            items:\n              type: string\n",
        start="operationId: reviews.list",
    )
    spec, error = refusal(tmp_path, text, capsys)
    shown = (
        "`style: form`, `explode: false`" if "explode" in style else "`style: pipeDelimited`, `explode: true`"
    )
    assert error == (
        f"{spec}:{line_of(text, style)}: query parameter 'tags' is an array with {shown}, but hitl sends "
        "arrays as repeated keys (tags=a&tags=b) — remove `style`/`explode` (the defaults, form and true, "
        "are what hitl sends)"
    )


def test_duplicate_operation_id_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = SPEC.replace("operationId: reviews.get\n", "operationId: reviews.list\n")
    spec, error = refusal(tmp_path, text, capsys)
    first = line_of(text, "operationId: reviews.list")
    second = line_of(text, "operationId: reviews.list", start="/v1/reviews/{review_id}:")
    assert error == (
        f"{spec}:{second}: operationId 'reviews.list' is already used (line {first}) — give each operation "
        "its own operationId; a repeated one would silently replace the other method"
    )


def test_invalid_yaml_names_the_file_and_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = insert_after(SPEC, "  title: HITL.sh API", "  summary: [unclosed\n")
    spec, error = refusal(tmp_path, text, capsys)
    opened = line_of(text, "[unclosed")
    # The wording of the problem is PyYAML's (it differs with and without libyaml); the frame is ours.
    assert error.startswith(f"{spec}:{opened + 1}: invalid YAML: ")
    assert error.endswith(f"',' or ']' (while parsing a flow sequence at line {opened}) — fix the syntax")


def test_invalid_openapi_names_the_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = insert_after(SPEC, "operationId: reviews.list", "      deprecated: maybe\n")
    spec, error = refusal(tmp_path, text, capsys)
    assert error == (
        f"{spec}:{line_of(text, 'deprecated: maybe')}: invalid OpenAPI: "
        '"maybe" is not of type "boolean" — fix the spec'
    )


def test_default_of_the_wrong_type_names_the_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = SPEC.replace("          default: medium\n", "          default: 3\n", 1)
    spec, error = refusal(tmp_path, text, capsys)
    assert error == (
        f"{spec}:{line_of(text, 'default: 3')}: invalid OpenAPI: 3 is not of type 'string' — fix the spec"
    )


def test_spec_without_operations_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = 'openapi: 3.1.0\ninfo: {title: x, version: "1"}\npaths: {}\n'
    spec, error = refusal(tmp_path, text, capsys)
    assert error == f"{spec}:3: no operations under `paths` — add at least one: the client is made of them"


def test_dangling_reference_names_the_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = SPEC.replace("$ref: '#/components/schemas/Priority'", "$ref: '#/components/schemas/Priorty'", 1)
    spec, error = refusal(tmp_path, text, capsys)
    assert error == (
        f"{spec}:{line_of(text, 'Priorty')}: $ref '#/components/schemas/Priorty' points to nothing — define "
        "it, or fix the reference"
    )


def probe(tree: Path, code: str) -> str:
    """Run `code` with the generated packages of `tree` importable; returns its stdout (stderr on failure)."""
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=tree,
        capture_output=True,
        text=True,
        env={"PYTHONPATH": str(tree), "PATH": ""},
        check=False,
    )
    return result.stdout.strip() or result.stderr


def test_integer_path_parameter_is_typed_and_sent_as_int(tmp_path: Path) -> None:
    """An integer path parameter takes an `int` in both clients (a bool is refused) and lands in the URL."""
    tree = copy_project(tmp_path)
    spec = tree / "openapi.yaml"
    text = spec.read_text(encoding="utf-8")
    text = text.replace(
        "      description: The team's id (opaque; `team_…`).\n      schema:\n        type: string\n",
        "      description: The team's number.\n      schema:\n        type: integer\n",
    )
    spec.write_text(text, encoding="utf-8")
    result = run_codegen(tree)
    assert result.returncode == 0, result.stderr

    output = probe(
        tree,
        "import httpx, hitl, hitl_sync\n"
        "seen = []\n"
        "def reply(request):\n"
        "    seen.append(request.url.path)\n"
        "    meta = {'request_id': 'req_1', 'timestamp': '2024-01-15T10:30:00Z',\n"
        "            'pagination': {'has_more': False, 'next_cursor': None}}\n"
        "    return httpx.Response(200, json={'success': True, 'data': [], 'meta': meta})\n"
        "http = httpx.Client(transport=httpx.MockTransport(reply))\n"
        "client = hitl_sync.HITL(api_key='k', http_client=http)\n"
        "list(client.teams.list_members(7))\n"
        "try:\n"
        "    list(client.teams.list_members(True))\n"
        "except hitl.InvalidArgumentError as error:\n"
        "    seen.append(str(error))\n"
        "print(hitl_sync.Teams.list_members.__annotations__['team_id'], *seen)\n",
    )
    assert output == "int /v1/teams/7/members team_id must be an integer, got True"


def test_secret_stays_out_of_repr_when_its_schema_is_built_with_all_of(tmp_path: Path) -> None:
    """Descriptions and the secret flag come from the merged schema, not only the schema's own properties."""
    tree = copy_project(tmp_path)
    spec = tree / "openapi.yaml"
    text = spec.read_text(encoding="utf-8")
    start = text.index("    WebhookWithSecret:\n")
    end = text.index("    WebhookCreate:\n")
    secret = text[text.index("        secret:\n", start) : text.index("        created_at:\n", start)]
    indented = "".join("    " + line for line in secret.splitlines(keepends=True))
    text = (
        text[:start] + "    WebhookWithSecret:\n"
        "      description: A webhook endpoint with its signing secret, as returned by `webhooks.create`.\n"
        "      allOf:\n"
        "        - $ref: '#/components/schemas/Webhook'\n"
        "        - type: object\n"
        "          required: [secret]\n"
        "          properties:\n" + indented + text[end:]
    )
    spec.write_text(text, encoding="utf-8")
    result = run_codegen(tree)
    assert result.returncode == 0, result.stderr

    output = probe(
        tree,
        "import hitl\n"
        "import datetime as dt\n"
        "now = dt.datetime.now(dt.UTC)\n"
        "hook = hitl.WebhookWithSecret(\n"
        "    id='wh_1', url='u', events=[], active=True, secret='whsec_x', created_at=now, updated_at=now\n"
        ")\n"
        "doc = hitl.WebhookWithSecret.__doc__\n"
        "print('whsec_x' in repr(hook), 'secret: The signing key' in doc, 'url: The URL' in doc)\n",
    )
    assert output == "False True True"


def test_operation_the_templates_cannot_render_names_its_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A problem found while building an operation is located at the operation."""
    text = SPEC.replace(
        "                $ref: '#/components/schemas/TeamEnvelope'\n",
        "                $ref: '#/components/schemas/Team'\n",
        1,
    )
    spec, error = refusal(tmp_path, text, capsys)
    assert error == (
        f"{spec}:{line_of(text, 'post:', start='  /v1/teams:')}: teams.create: the 2xx envelope has no "
        "required `data` model — make `data` $ref a model schema, or be an array of one"
    )


def test_array_query_parameter_is_sent_as_repeated_keys(tmp_path: Path) -> None:
    """The default `style: form`, `explode: true` is what the generated methods send."""
    tree = copy_project(tmp_path)
    spec = tree / "openapi.yaml"
    text = insert_after(
        spec.read_text(encoding="utf-8"),
        "      parameters:",
        "        - name: tags\n          in: query\n          description: Only reviews with these tags.\n"
        "          schema:\n            type: array\n            items:\n              type: string\n",
        start="operationId: reviews.list",
    )
    spec.write_text(text, encoding="utf-8")
    result = run_codegen(tree)
    assert result.returncode == 0, result.stderr

    output = probe(
        tree,
        "import httpx, hitl_sync\n"
        "seen = []\n"
        "def reply(request):\n"
        "    seen.append(request.url.query.decode())\n"
        "    meta = {'request_id': 'req_1', 'timestamp': '2024-01-15T10:30:00Z',\n"
        "            'pagination': {'has_more': False, 'next_cursor': None}}\n"
        "    return httpx.Response(200, json={'success': True, 'data': [], 'meta': meta})\n"
        "http = httpx.Client(transport=httpx.MockTransport(reply))\n"
        "client = hitl_sync.HITL(api_key='k', http_client=http)\n"
        "list(client.reviews.list(tags=['a', 'b']))\n"
        "print(hitl_sync.Reviews.list.__annotations__['tags'], *seen)\n",
    )
    assert output == "Sequence[str] | NotGiven tags=a&tags=b"
