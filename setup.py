"""Compiles the detector's pure-Python modules with Cython when the package is built.

Everything else about the package is in ``pyproject.toml``. The detector (``normalize``,
``gazetteer``, ``detect``) is plain Python and stays so: these same files, compiled
unchanged, run about 30% faster (README, *Benchmarks*), as pydantic 1.x shipped its
own modules. A build without a C compiler or without Cython installs the pure-Python
modules and says so; their results are the same (``tests/test_compiled.py``).

An editable install (``pip install -e .``) is left uncompiled, so that an edit of a
``.py`` file takes effect without a rebuild; ``make compiled`` builds a compiled copy of
the package apart, in ``build/compiled``, for the benchmark.

Compiled, the code means what it means in Python but for two things. Where both
operands are C integers (a literal and ``len(...)``), Cython computes in C, so
``1 << len(x)`` overflows past bit 31: write such a shift from a Python int
(``detect._B_MODAL_WORDS``). And ``python -m`` cannot run a compiled module: the
maintainers' ``python -m monitor.gazetteer --build``, which rewrites a data file of the
source tree, runs there (an editable install).
"""
from __future__ import annotations

import os
import sys

from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext

# The modules compiled, each from its own unchanged .py file.
COMPILED = ["monitor.normalize", "monitor.gazetteer", "monitor.detect"]


class optional_build_ext(build_ext):
    """Cythonizes and compiles ``COMPILED``; leaves them pure Python in an editable
    install, with ``NEWSMON_PURE_PYTHON=1``, or where compiling fails (no C compiler, no
    Python headers, no Cython), unless ``NEWSMON_REQUIRE_COMPILED=1``."""

    def run(self) -> None:
        if getattr(self, "editable_mode", False) or os.environ.get("NEWSMON_PURE_PYTHON") == "1":
            self._pure_python()
            return
        try:
            from Cython.Build import cythonize

            # annotation_typing=False: Cython would otherwise turn annotations such as
            # ``list[str]`` into exact type checks, which a list subclass (detect._Words)
            # fails. The generated C goes to build/, not beside the sources.
            generated = cythonize(self.extensions, language_level=3, quiet=True,
                                  build_dir=os.path.join(self.build_temp, "cython"),
                                  compiler_directives={"annotation_typing": False})
            c_sources = {ext.name: ext.sources for ext in generated}
            for ext in self.extensions:  # (setuptools has set up these objects: keep them)
                ext.sources = c_sources[ext.name]
            super().run()
        except Exception as exc:  # (whatever the toolchain raises: the .py files still work)
            if os.environ.get("NEWSMON_REQUIRE_COMPILED") == "1":
                raise
            print(f"news-monitor: the detector is not compiled ({exc}); it runs as pure Python",
                  file=sys.stderr)
            self._pure_python()

    def _pure_python(self) -> None:
        # A module compiled by an earlier build (in build/, or in place) would be installed
        # and imported ahead of its newer .py file: none is left, and none half-compiled.
        for ext in self.extensions:
            path = self.get_ext_fullpath(ext.name)
            if os.path.exists(path):
                os.remove(path)
        self.extensions = []


setup(
    # (-g0: without debugging information the modules are a sixth of the size)
    ext_modules=[Extension(name, [name.replace(".", "/") + ".py"], extra_compile_args=["-g0"])
                 for name in COMPILED],
    cmdclass={"build_ext": optional_build_ext},
)
