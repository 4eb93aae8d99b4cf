"""The example notebook runs top to bottom (so it cannot rot) and produces its figure."""
from pathlib import Path

import nbformat
from nbclient import NotebookClient

NOTEBOOK = Path(__file__).resolve().parents[2] / "examples" / "stationary_paper_example.ipynb"


def test_example_notebook_executes(tmp_path):
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    NotebookClient(notebook, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}).execute()
    figure = tmp_path / "stationary_paper_example.png"
    assert figure.exists() and figure.stat().st_size > 10_000
    outputs = "".join(o.get("text", "") for cell in notebook.cells if cell.cell_type == "code" for o in cell.outputs)
    assert "E[Y_M1] = -beta/mu_M" in outputs and "Y_12" in outputs
