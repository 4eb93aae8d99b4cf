"""Importing the packages, and drawing a figure, changes no global state: no matplotlib backend switch (pyplot is
never imported), JAX stays in 32-bit mode (callers opt into float64), numpy's print options and error state are
untouched.  Run in a fresh interpreter, since pytest itself may have imported pyplot."""
import subprocess
import sys
import textwrap

SCRIPT = textwrap.dedent("""
    import importlib, pkgutil, sys
    import numpy as np
    import matplotlib
    import jax

    backend = matplotlib.rcParams._get("backend")
    printing, errors = np.get_printoptions(), np.geterr()
    packages = ["rou_common", "reflected_ou", "fluid", "lyapunov", "ctmc", "comparison", "periodic_routing"]
    for name in packages:
        package = importlib.import_module(name)
        for module in pkgutil.walk_packages(package.__path__, name + "."):
            if not module.name.endswith(".__main__"):  # the console script's entry, which runs it
                importlib.import_module(module.name)
    from fluid.figure import save_figure_6_1
    save_figure_6_1(sys.argv[1], beta=2.0, mu_1=2.5, mu_M=0.625, grid=2, points_per_curve=20)
    assert "matplotlib.pyplot" not in sys.modules, "pyplot was imported"
    assert matplotlib.rcParams._get("backend") == backend, "the matplotlib backend changed"
    assert jax.config.jax_enable_x64 is False, "64-bit JAX was switched on"
    assert np.get_printoptions() == printing and np.geterr() == errors, "numpy state changed"
    print("ok")
""")


def test_imports_and_figures_leave_global_state_alone(tmp_path):
    run = subprocess.run([sys.executable, "-c", SCRIPT, str(tmp_path / "figure.png")], capture_output=True, text=True,
                         timeout=300)
    assert run.returncode == 0, run.stderr[-2000:]
    assert run.stdout.strip() == "ok"
    assert (tmp_path / "figure.png").stat().st_size > 1000


def test_a_negative_control_is_caught(tmp_path):
    """The same check fails when a module does switch the backend (the check can fail)."""
    broken = SCRIPT.replace("from fluid.figure import save_figure_6_1",
                            "import matplotlib.pyplot\nfrom fluid.figure import save_figure_6_1")
    run = subprocess.run([sys.executable, "-c", broken, str(tmp_path / "figure.png")], capture_output=True, text=True,
                         timeout=300)
    assert run.returncode != 0 and "pyplot was imported" in run.stderr
