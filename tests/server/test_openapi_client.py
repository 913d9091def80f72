"""A client generated from /openapi.json (openapi-python-client) comes out whole: no
warnings, every schema under a unique name (two enums once shared the name `Role`, and the
generator dropped the Partner and Programme schemas and the endpoints using them), and the
generated code imports and talks to the server."""

from __future__ import annotations

import importlib
import json
import os
import subprocess
import sys
from pathlib import Path

from fastapi.testclient import TestClient

from coprod.api import create_app
from tests.server.conftest import Api

BIN = Path(sys.executable).parent


def test_a_generated_client_has_every_schema_and_works(seeded: str, tmp_path: Path) -> None:
    app = create_app(seeded, plan_worker="none")
    spec = app.openapi()
    titles = [s.get("title", name) for name, s in spec["components"]["schemas"].items()]
    assert {"PartnerRole", "UserRole", "Partner", "Programme"} <= set(spec["components"]["schemas"])
    enums = [n for n, s in spec["components"]["schemas"].items() if "enum" in s]
    assert len(enums) == len(set(enums)) and len(titles) == len(set(titles))
    path = tmp_path / "openapi.json"
    path.write_text(json.dumps(spec), encoding="utf-8")
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}"}  # its ruff hook
    made = subprocess.run(
        [
            str(BIN / "openapi-python-client"),
            "generate",
            "--path",
            str(path),
            "--output-path",
            str(tmp_path / "coprod_client"),
            "--meta",
            "none",
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
        check=False,
    )
    output = made.stdout + made.stderr
    assert made.returncode == 0 and "Warning" not in output, output
    package = tmp_path / "coprod_client"
    for model in ("partner.py", "programme.py", "partner_role.py", "user_role.py"):
        assert (package / "models" / model).is_file(), model
    assert (package / "api" / "programmes" / "import_programme_programmes_post.py").is_file()
    assert (package / "api" / "partners").is_dir()

    sys.path.insert(0, str(tmp_path))
    try:
        client_mod = importlib.import_module("coprod_client.client")
        listing = importlib.import_module("coprod_client.api.programmes.list_programmes_programmes_get")
        token = Api(TestClient(app), "po").headers["Authorization"].split()[1]
        client = client_mod.AuthenticatedClient(base_url="http://testserver", token=token)
        client.set_httpx_client(TestClient(app, headers={"Authorization": f"Bearer {token}"}))
        programmes = listing.sync(client=client)
        assert programmes is not None and "example" in [p.name for p in programmes]
    finally:
        sys.path.remove(str(tmp_path))
        for name in [m for m in sys.modules if m.startswith("coprod_client")]:
            del sys.modules[name]
